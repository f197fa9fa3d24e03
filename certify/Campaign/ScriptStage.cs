using System.Text.RegularExpressions;

namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// A stage that runs one of the repository's own gate scripts (the same ones CI runs) and reads its figures from the
/// lines it prints: the coverage gate, the mutation gate.
/// </summary>
internal sealed partial class ScriptStage(string name, string check, string script, IReadOnlyList<string> arguments, IReadOnlyList<(string Figure, Regex Pattern)> figures) : IStage
{
    /// <inheritdoc />
    public string Name => name;

    /// <summary>The coverage gate: line and branch coverage of allocator/ and models/.</summary>
    public static ScriptStage Coverage() => new("coverage", "coverage of allocator/ and models/ meets the gate (95% line, 90% branch)",
        ".ci/coverage-gate", [], [("line", LineCoverage()), ("branch", BranchCoverage())]);

    /// <summary>
    /// The full mutation gate: every mutant of the allocator, judged against the break threshold and the floor; when it
    /// passes it refreshes the committed baseline (mutation-config/baseline/) that the incremental CI gate compares with.
    /// </summary>
    public static ScriptStage Mutation() => new("mutation", "Stryker mutation score of the allocator meets the break threshold and the floor",
        ".ci/mutation-gate", ["--full", "--refresh-baseline"], [("score", MutationScore())]);

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, IStageProgress progress, CancellationToken cancel)
    {
        string command = string.Join(' ', ["bash", script, .. arguments]);
        progress.Plan(1, "gate", command);
        if (!File.Exists(Repository.PathOf(script)))
        {
            return [new CheckResult(Name, check, "-", Outcome.Skipped, TimeSpan.Zero, new Dictionary<string, string>(), null, $"{script} is not in the repository")];
        }
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("bash", [script, .. arguments], null, () => progress.Report(0, 0, command), cancel).ConfigureAwait(false);
        progress.Report(1, run.ExitCode == 0 ? 0 : 1, null);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (figure, pattern) in figures)
        {
            Match match = pattern.Match(run.Output);
            if (match.Success)
                found[figure] = match.Groups[1].Value + "%";
        }
        return [new CheckResult(Name, check, "CI budget", run.ExitCode == 0 ? Outcome.Passed : Outcome.Failed, run.Duration, found,
            command, run.ExitCode == 0 ? null : Tail(run.Output))];
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];

    [GeneratedRegex(@"coverage: line ([0-9.]+)%")]
    private static partial Regex LineCoverage();

    [GeneratedRegex(@"branch ([0-9.]+)% \(minimum")]
    private static partial Regex BranchCoverage();

    [GeneratedRegex(@"[Ff]inal mutation score (?:is )?(?:of )?([0-9.]+)\s?%")]
    private static partial Regex MutationScore();
}
