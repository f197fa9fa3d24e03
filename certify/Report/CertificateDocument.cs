namespace AreaMalloc.Certify.Report;

// The certificate as data: report.json is this document serialized (camelCase), report.md and report.html render it.
// Its shape is documented by certify/report.schema.json; keep the two in step (the tests validate one against the other).

/// <summary>The whole certificate.</summary>
/// <param name="SchemaVersion">The version of report.schema.json this document follows.</param>
/// <param name="Verdict">"certified" or "not certified".</param>
/// <param name="VerdictReasons">Why, in sentences (failed checks, laws not checked, or what was certified).</param>
/// <param name="Run">Commit, date, machine, budget, time.</param>
/// <param name="Counts">Checks and laws by outcome.</param>
/// <param name="FailedLaws">Every law a failed check serves, in the law table's order, with its first failure.</param>
/// <param name="Failures">Every failed check, law checks first: message and replay command.</param>
/// <param name="Concerns">The law table: concerns, each with its laws.</param>
/// <param name="Exploration">The effort of every law check together.</param>
/// <param name="Figures">Coverage, mutation, bench.</param>
/// <param name="NotCertified">What this certificate does not say.</param>
/// <param name="Stages">The campaign's stages.</param>
/// <param name="Checks">Every check that serves a law, sorted by law (a check serving several laws is listed under its first).</param>
/// <param name="HarnessChecks">The harness checking itself.</param>
/// <param name="Gates">Build, coverage, mutation and bench gates.</param>
/// <param name="Unmapped">Checks whose test class is in no entry of the check map.</param>
/// <param name="StaleMapEntries">Entries of the check map that matched no check of this run.</param>
/// <param name="UnmappedPolicy">What an unmapped check does to the verdict.</param>
internal sealed record CertificateDocument(
    int SchemaVersion,
    string Verdict,
    IReadOnlyList<string> VerdictReasons,
    RunEntry Run,
    CountsEntry Counts,
    IReadOnlyList<FailedLawEntry> FailedLaws,
    IReadOnlyList<FailureEntry> Failures,
    IReadOnlyList<ConcernEntry> Concerns,
    EffortEntry Exploration,
    FiguresEntry Figures,
    IReadOnlyList<LimitEntry> NotCertified,
    IReadOnlyList<StageEntry> Stages,
    IReadOnlyList<CheckEntry> Checks,
    IReadOnlyList<CheckEntry> HarnessChecks,
    IReadOnlyList<CheckEntry> Gates,
    IReadOnlyList<CheckEntry> Unmapped,
    IReadOnlyList<string> StaleMapEntries,
    string UnmappedPolicy)
{
    /// <summary>The value of <see cref="Verdict"/> when every check passed and every law was checked.</summary>
    public const string Certified = "certified";

    /// <summary>The value of <see cref="Verdict"/> otherwise.</summary>
    public const string NotCertifiedVerdict = "not certified";

    /// <summary>True when the verdict is <see cref="Certified"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Passed => Verdict == Certified;
}

/// <summary>Where and how the campaign ran.</summary>
internal sealed record RunEntry(string Commit, bool Dirty, string Date, MachineEntry Machine, string Budget, double DurationSeconds, string Duration, IReadOnlyList<string> Options);

/// <summary>The machine.</summary>
internal sealed record MachineEntry(string Os, string Runtime, int Cores, string Memory);

/// <summary>Counts of checks and laws.</summary>
internal sealed record CountsEntry(int Checks, int Passed, int Failed, int Skipped, int Laws, int LawsPassed, int LawsFailed, int LawsNotChecked, int HarnessChecks, int Unmapped);

/// <summary>One broken law: how many of its checks failed, and the first of them (a check whose first law it is, if any).</summary>
internal sealed record FailedLawEntry(string Id, string Statement, int Failed, int Checks, string FirstCheck, string FirstMessage, string? FirstReplay);

/// <summary>One failed check.</summary>
internal sealed record FailureEntry(string Check, string Stage, string Role, IReadOnlyList<string> Laws, string Message, string? Replay, string? Details);

/// <summary>One concern of the law table.</summary>
internal sealed record ConcernEntry(string Id, string Title, string Status, IReadOnlyList<LawEntry> Laws);

/// <summary>One law: its status, the checks behind it, the configurations they ran in and their effort.</summary>
internal sealed record LawEntry(string Id, string Statement, string Source, string Status, int Checks, int Passed, int Failed, int Skipped,
    IReadOnlyList<string> Configurations, EffortEntry Effort, IReadOnlyList<string> CheckGroups);

/// <summary>Effort: sequences and their commands, cases, schedules, operations, OS faults injected, and checks run.</summary>
internal sealed record EffortEntry(long Sequences, long Commands, long Cases, long Schedules, long Operations, long FaultsInjected, int Runs, string Summary);

/// <summary>Coverage, mutation and bench figures.</summary>
internal sealed record FiguresEntry(CoverageFigure Coverage, MutationFigure Mutation, BenchFigure Bench);

/// <summary>Line and branch coverage from this run's coverage gate.</summary>
internal sealed record CoverageFigure(string Status, double? Line, double? Branch, string Note);

/// <summary>The mutation score: from this run (<c>--mutation</c>), from the latest full run's baseline, or none.</summary>
internal sealed record MutationFigure(string Source, bool Rerun, double? Score, string? Commit, string? Date, IReadOnlyDictionary<string, long> Counts, string Note);

/// <summary>The quick benchmarks' ratios, when <c>--bench</c> ran them.</summary>
internal sealed record BenchFigure(string Status, IReadOnlyDictionary<string, string> Ratios, string Note);

/// <summary>One thing the certificate does not certify, and why.</summary>
internal sealed record LimitEntry(string What, string Why);

/// <summary>One stage of the campaign.</summary>
internal sealed record StageEntry(string Name, int Checks, int Passed, int Failed, int Skipped, double Seconds);

/// <summary>One check.</summary>
internal sealed record CheckEntry(
    string Name,
    string Stage,
    string Role,
    string? TestClass,
    string? TestMethod,
    string MapKey,
    IReadOnlyList<string> Laws,
    IReadOnlyList<string> Configurations,
    string Outcome,
    double Seconds,
    string Budget,
    EffortEntry Effort,
    IReadOnlyDictionary<string, string> Figures,
    string? Replay,
    string? Message,
    string? Harness);
