using System.Globalization;
using AreaMalloc.Certify.Campaign;
using AreaMalloc.Certify.Laws;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// Turns a campaign's checks into the certificate: every check attached to its laws through <see cref="CheckMap"/>,
/// the law table by concern, failures first, the figures, and what is not certified. The verdict is "certified"
/// exactly when no check failed and every law of <see cref="LawCatalog"/> was checked by at least one check that ran.
/// An unmapped check does not change the verdict by itself (its outcome does: a failed unmapped check fails the
/// certificate), but it is listed at the top of every report so that a new test gets its law.
/// </summary>
internal static class CertificateBuilder
{
    /// <summary>The version of certify/report.schema.json the document follows.</summary>
    public const int SchemaVersion = 1;

    /// <summary>What an unmapped check does to the verdict, as every report says it.</summary>
    public const string UnmappedPolicy =
        "An unmapped check (its test class is in no entry of certify/Laws/CheckMap.cs) does not change the verdict by itself; " +
        "a failed one fails the certificate like any check. A law that no check served is 'not checked' and fails the certificate.";

    private sealed record Classified(CheckResult Result, CheckMapping Mapping, CheckEntry Entry);

    /// <summary>Builds the certificate of <paramref name="campaign"/>; <paramref name="baseline"/> is the latest full mutation run, if recorded.</summary>
    public static CertificateDocument Build(CampaignRecord campaign, MutationBaseline? baseline)
    {
        List<Classified> all = campaign.Checks.Select(Classify).ToList();
        var lawIndex = LawCatalog.All.Select((law, i) => (law.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        List<ConcernEntry> concerns = LawCatalog.Concerns.Select(concern =>
        {
            List<LawEntry> laws = LawCatalog.All.Where(l => l.Concern == concern).Select(law => LawOf(law, all)).ToList();
            return new ConcernEntry(concern.Id, concern.Title, Worst(laws.Select(l => l.Status)), laws);
        }).ToList();
        List<LawEntry> lawEntries = concerns.SelectMany(c => c.Laws).ToList();

        // A check belongs first to the first law of its map entry (the model-based property to semantics.model, say).
        List<Classified> lawChecks = all.Where(c => c.Mapping.Role == CheckRole.Law)
            .OrderBy(c => lawIndex[c.Mapping.Laws[0].Id]).ThenBy(c => c.Result.Name, StringComparer.Ordinal).ToList();
        List<Classified> harness = all.Where(c => c.Mapping.Role == CheckRole.Harness).OrderBy(c => c.Result.Name, StringComparer.Ordinal).ToList();
        List<Classified> gates = all.Where(c => c.Mapping.Role == CheckRole.Gate).ToList();
        List<Classified> unmapped = all.Where(c => c.Mapping.Role == CheckRole.Unmapped).OrderBy(c => c.Result.Name, StringComparer.Ordinal).ToList();

        // Failures first: law checks in the law table's order, then unmapped checks, the harness, the gates.
        List<FailureEntry> failures = lawChecks.Concat(unmapped).Concat(harness).Concat(gates)
            .Where(c => c.Result.Outcome == Outcome.Failed)
            .Select(c => new FailureEntry(c.Result.Name, c.Result.Stage, RoleId(c.Mapping.Role), c.Entry.Laws,
                FailureMessage.Summary(c.Result.Details), c.Result.Replay, c.Result.Details))
            .ToList();

        List<FailedLawEntry> failedLawEntries = lawEntries.Where(l => l.Status == LawStatus.Failed).Select(law =>
        {
            List<Classified> broken = lawChecks.Where(c => c.Result.Outcome == Outcome.Failed && c.Entry.Laws.Contains(law.Id)).ToList();
            Classified first = broken.FirstOrDefault(c => c.Entry.Laws[0] == law.Id) ?? broken[0];
            return new FailedLawEntry(law.Id, law.Statement, broken.Count, law.Checks, first.Result.Name, first.Entry.Message ?? "-", first.Result.Replay);
        }).ToList();
        int failed = all.Count(c => c.Result.Outcome == Outcome.Failed);
        List<LawEntry> notChecked = lawEntries.Where(l => l.Status == LawStatus.NotChecked).ToList();
        List<LawEntry> failedLaws = lawEntries.Where(l => l.Status == LawStatus.Failed).ToList();
        var reasons = new List<string>();
        if (all.Count == 0)
            reasons.Add("the campaign made no check");
        if (failed > 0)
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{failed} of {all.Count} checks failed") +
                (failedLaws.Count > 0 ? $", breaking {failedLaws.Count} of {lawEntries.Count} laws: {string.Join(", ", failedLaws.Select(l => l.Id))}" : ""));
        if (notChecked.Count > 0)
            reasons.Add($"{notChecked.Count} of {lawEntries.Count} laws were checked by no check: {string.Join(", ", notChecked.Select(l => l.Id))}");
        bool certified = reasons.Count == 0;
        if (certified)
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"all {all.Count} checks passed and each of the {lawEntries.Count} laws was checked"));
        if (unmapped.Count > 0)
            reasons.Add($"{unmapped.Count} checks are unmapped (no law): {string.Join(", ", unmapped.Select(c => c.Mapping.Key).Distinct(StringComparer.Ordinal))}");

        var matchedKeys = all.Select(c => c.Mapping.Key).ToHashSet(StringComparer.Ordinal);
        bool testsRan = all.Any(c => c.Mapping.Role is CheckRole.Law or CheckRole.Harness);
        List<string> stale = testsRan ? CheckMap.Entries.Select(e => e.Key).Where(k => !matchedKeys.Contains(k)).Distinct(StringComparer.Ordinal).ToList() : [];

        EffortEntry exploration = EffortOf(lawChecks.Select(c => c.Result));
        FiguresEntry figures = Figures.Of(campaign.Checks, baseline);
        return new CertificateDocument(
            SchemaVersion,
            certified ? CertificateDocument.Certified : CertificateDocument.NotCertifiedVerdict,
            reasons,
            new RunEntry(campaign.Machine.Commit, campaign.Machine.Dirty, campaign.Machine.Date,
                new MachineEntry(campaign.Machine.Os, campaign.Machine.Runtime, campaign.Machine.Cores, campaign.Machine.Memory),
                campaign.Budget, Math.Round(campaign.Elapsed.TotalSeconds, 1), Progress.Duration.Text(campaign.Elapsed), campaign.Options),
            new CountsEntry(all.Count, Count(all, Outcome.Passed), failed, Count(all, Outcome.Skipped), lawEntries.Count,
                lawEntries.Count(l => l.Status == LawStatus.Passed), failedLaws.Count, notChecked.Count, harness.Count, unmapped.Count),
            failedLawEntries,
            failures,
            concerns,
            exploration,
            figures,
            Limits.Of(campaign, lawEntries, figures, all.Count(c => c.Result.Outcome == Outcome.Skipped)),
            campaign.Checks.GroupBy(c => c.Stage).Select(g => new StageEntry(g.Key, g.Count(), g.Count(c => c.Outcome == Outcome.Passed),
                g.Count(c => c.Outcome == Outcome.Failed), g.Count(c => c.Outcome == Outcome.Skipped),
                Math.Round(g.Sum(c => c.Duration.TotalSeconds), 1))).ToList(),
            lawChecks.Select(c => c.Entry).ToList(),
            harness.Select(c => c.Entry).ToList(),
            gates.Select(c => c.Entry).ToList(),
            unmapped.Select(c => c.Entry).ToList(),
            stale,
            UnmappedPolicy);
    }

    private static Classified Classify(CheckResult result)
    {
        CheckMapping mapping = result.TestClass is null
            ? new CheckMapping(CheckRole.Gate, [], [], result.Stage)
            : CheckMap.Classify(result.TestClass, result.TestMethod ?? "");
        var entry = new CheckEntry(
            result.Name,
            result.Stage,
            RoleId(mapping.Role),
            result.TestClass is null ? null : CheckMap.ShortClassName(result.TestClass),
            result.TestMethod,
            mapping.Key,
            mapping.Laws.Select(l => l.Id).ToList(),
            mapping.Configurations.Select(c => c.Id()).ToList(),
            OutcomeId(result.Outcome),
            Math.Round(result.Duration.TotalSeconds, 3),
            result.Budget,
            EffortOf([result]),
            result.Figures,
            result.Replay,
            result.Outcome == Outcome.Failed ? FailureMessage.Summary(result.Details) : null,
            mapping.Harness);
        return new Classified(result, mapping, entry);
    }

    private static LawEntry LawOf(Law law, List<Classified> all)
    {
        List<Classified> checks = all.Where(c => c.Mapping.Laws.Contains(law)).ToList();
        List<Classified> ran = checks.Where(c => c.Result.Outcome != Outcome.Skipped).ToList();
        string status = ran.Count == 0 ? LawStatus.NotChecked
            : ran.Any(c => c.Result.Outcome == Outcome.Failed) ? LawStatus.Failed
            : LawStatus.Passed;
        var configurations = PoolConfigurations.All.Where(p => ran.Any(c => c.Mapping.Configurations.Contains(p))).Select(p => p.Title()).ToList();
        var groups = checks.GroupBy(c => CheckMap.ShortClassName(c.Result.TestClass!), StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ({g.Count()})")).ToList();
        return new LawEntry(law.Id, law.Statement, law.Source, status, checks.Count, Count(checks, Outcome.Passed), Count(checks, Outcome.Failed),
            Count(checks, Outcome.Skipped), configurations, EffortOf(ran.Select(c => c.Result)), groups);
    }

    private static EffortEntry EffortOf(IEnumerable<CheckResult> checks)
    {
        List<CheckResult> ran = checks.Where(c => c.Outcome != Outcome.Skipped).ToList();
        Effort sum = Effort.Sum(ran.Select(c => c.Effort));
        return new EffortEntry(sum.Sequences, sum.Commands, sum.Cases, sum.Schedules, sum.Operations, sum.FaultsInjected, ran.Count, sum.ToString());
    }

    private static int Count(IEnumerable<Classified> checks, Outcome outcome) => checks.Count(c => c.Result.Outcome == outcome);

    private static string Worst(IEnumerable<string> statuses)
    {
        var list = statuses.ToList();
        return list.Contains(LawStatus.Failed) ? LawStatus.Failed : list.Contains(LawStatus.NotChecked) ? LawStatus.NotChecked : LawStatus.Passed;
    }

    /// <summary>How report.json names a role.</summary>
    public static string RoleId(CheckRole role) => role switch
    {
        CheckRole.Law => "law",
        CheckRole.Harness => "harness",
        CheckRole.Gate => "gate",
        CheckRole.Unmapped => "unmapped",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private static string OutcomeId(Outcome outcome) => outcome switch
    {
        Outcome.Passed => "passed",
        Outcome.Failed => "failed",
        Outcome.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}

/// <summary>The statuses of a law (and of a concern: its worst law).</summary>
internal static class LawStatus
{
    /// <summary>Every check behind it passed.</summary>
    public const string Passed = "passed";

    /// <summary>A check behind it failed.</summary>
    public const string Failed = "failed";

    /// <summary>No check behind it ran.</summary>
    public const string NotChecked = "not checked";
}

/// <summary>The message of a failure, in a line or two.</summary>
internal static class FailureMessage
{
    /// <summary>
    /// The lines of a failure's details that say what failed, at most 600 characters; "-" when there are none. For a
    /// gate's output (a script that ran tests): the failed test and its "Error Message:", else the lines that say FAILED;
    /// for a test's own failure: its first lines that say something (the assertion's message; an exception type's own
    /// line such as "FsCheck.Xunit.PropertyFailedException :" and stack frames are skipped), at most 3.
    /// </summary>
    public static string Summary(string? details)
    {
        if (string.IsNullOrWhiteSpace(details))
            return "-";
        List<string> lines = details.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        int error = lines.IndexOf("Error Message:");
        IEnumerable<string> chosen;
        if (error >= 0)
        {
            string? test = lines.Take(error).LastOrDefault(l => l.StartsWith("Failed ", StringComparison.Ordinal));
            chosen = new[] { test }.OfType<string>().Concat(lines.Skip(error + 1).TakeWhile(l => l != "Stack Trace:").Take(2));
        }
        else if (lines.Where(l => l.Contains("FAILED", StringComparison.Ordinal)).Take(2).ToList() is { Count: > 0 } failed)
        {
            chosen = failed;
        }
        else
        {
            chosen = lines.Where(line => !line.EndsWith(':') && !line.StartsWith("at ", StringComparison.Ordinal)).Take(3);
        }
        string text = string.Join(" ", chosen);
        return text.Length == 0 ? "-" : text.Length <= 600 ? text : text[..597] + "...";
    }
}
