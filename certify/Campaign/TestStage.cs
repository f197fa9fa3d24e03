using AreaMalloc.Certify.Laws;

namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// A stage that runs tests of one test project through <c>dotnet test</c> (the same definitions xunit runs in CI)
/// at the campaign's budget, and turns each test into a check of the certificate. Before it runs them it lists them
/// (<c>--list-tests</c> with the same filter): that count is the stage's total, and the console logger's result lines
/// count the tests finished while the run goes on.
/// </summary>
internal sealed class TestStage(string name, string project, string filter) : IStage
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, IStageProgress progress, CancellationToken cancel)
    {
        IReadOnlyList<string> planned;
        try
        {
            planned = await TestListing.ListAsync(project, settings.Configuration, filter, cancel).ConfigureAwait(false);
        }
        catch (InvalidOperationException listing)
        {
            progress.Plan(0, "tests");
            return [new CheckResult(name, $"{name}: listing the tests", settings.Budget, Outcome.Failed, TimeSpan.Zero,
                new Dictionary<string, string>(), null, listing.Message)];
        }
        progress.Plan(planned.Count, "tests", $"dotnet test {project}");
        string trxDir = Path.Combine(settings.OutputDirectory, "trx");
        Directory.CreateDirectory(trxDir);
        string slug = name.Replace(' ', '-');
        string trxName = $"{slug}.trx";
        string trxPath = Path.Combine(trxDir, trxName);
        File.Delete(trxPath);
        var progressFile = new ProgressFile(Path.Combine(settings.OutputDirectory, $"{slug}.progress"));
        File.Delete(progressFile.Path);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AREAMALLOC_BUDGET"] = settings.Budget,
            [ProgressFile.Variable] = progressFile.Path,
            ["AREAMALLOC_ARTIFACTS"] = Repository.PathOf("artifacts"),
        };
        var watcher = new TestRunWatcher();
        void Tick()
        {
            var (finished, failed, last) = watcher.Snapshot();
            // A test that reports while it runs (the soak, fault injection) wrote after the last result line; a line
            // written before it belongs to a test that has finished (a scenario that stopped at its first bug, say).
            string? inFlight = progressFile.LastWrite > watcher.LastResultAt ? progressFile.InFlight() : null;
            progress.Report(Math.Min(finished, planned.Count), failed,
                inFlight ?? (last is null ? null : $"last finished: {last}"));
        }
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("dotnet",
            ["test", project, "-c", settings.Configuration, "--no-build", "--filter", filter,
             "--logger", $"trx;LogFileName={trxName}", "--logger", "console;verbosity=normal", "--results-directory", trxDir],
            environment, Tick, cancel, watcher.OnLine).ConfigureAwait(false);
        if (!File.Exists(trxPath))
        {
            return [new CheckResult(name, $"{name}: test run", settings.Budget, Outcome.Failed, run.Duration,
                new Dictionary<string, string>(), null, $"dotnet test exited {run.ExitCode} without results:\n{Tail(run.Output)}")];
        }
        var checks = TrxResults.Read(trxPath).Select(test => ToCheck(test, settings)).ToList();
        if (checks.Count < planned.Count)
        {
            checks.Add(new CheckResult(name, $"{name}: every listed test ran", settings.Budget, Outcome.Failed, run.Duration,
                new Dictionary<string, string>(), null,
                $"{planned.Count} tests were listed, {checks.Count} reported a result (the test host may have crashed):\n{Tail(run.Output)}"));
        }
        return checks;
    }

    private CheckResult ToCheck(TestResult test, CampaignSettings settings)
    {
        IReadOnlyDictionary<string, string> figures = test.Figures;
        return new CheckResult(
            name,
            TestRunWatcher.ShortName(test.FullName),
            figures.GetValueOrDefault("budget", settings.Budget),
            test.Passed ? Outcome.Passed : test.Outcome == "NotExecuted" ? Outcome.Skipped : Outcome.Failed,
            test.Duration,
            figures,
            figures.GetValueOrDefault("replay") ?? ReplayCommand(test, settings),
            test.Passed ? null : test.Error)
        {
            TestClass = test.ClassName,
            TestMethod = test.MethodName,
            Effort = EffortReader.Read(figures, test.StdOut),
        };
    }

    /// <summary>The command that runs one test again at the campaign's budget (every case of a theory).</summary>
    private string ReplayCommand(TestResult test, CampaignSettings settings) =>
        $"AREAMALLOC_BUDGET={settings.Budget} dotnet test {project} -c {settings.Configuration} --filter \"FullyQualifiedName={test.ClassName}.{test.MethodName}\"";

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    /// <summary>The short class name used by <see cref="CheckMap"/>.</summary>
    public static string ShortClass(CheckResult check) => CheckMap.ShortClassName(check.TestClass ?? "");
}
