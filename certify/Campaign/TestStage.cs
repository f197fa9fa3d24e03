namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// A stage that runs tests of one test project through <c>dotnet test</c> (the same definitions xunit runs in CI)
/// at the campaign's budget, and turns each test into a check of the certificate.
/// </summary>
internal sealed class TestStage(string name, string project, string filter, string budgetNote) : IStage
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, Action<long, long, string?> progress, CancellationToken cancel)
    {
        string trxDir = Path.Combine(settings.OutputDirectory, "trx");
        Directory.CreateDirectory(trxDir);
        string trxName = $"{name.Replace(' ', '-')}.trx";
        string trxPath = Path.Combine(trxDir, trxName);
        File.Delete(trxPath);
        var progressFile = new ProgressFile(Path.Combine(settings.OutputDirectory, $"{name.Replace(' ', '-')}.progress"));
        File.Delete(progressFile.Path);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AREAMALLOC_BUDGET"] = settings.Budget,
            [ProgressFile.Variable] = progressFile.Path,
            ["AREAMALLOC_ARTIFACTS"] = Repository.PathOf("artifacts"),
        };
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("dotnet",
            ["test", project, "-c", settings.Configuration, "--no-build", "--filter", filter,
             "--logger", $"trx;LogFileName={trxName}", "--results-directory", trxDir],
            environment, () => { var (done, total, current) = progressFile.Read(); progress(done, total, current); }, cancel).ConfigureAwait(false);
        if (!File.Exists(trxPath))
        {
            return [new CheckResult(name, $"{name}: test run", settings.Budget, Outcome.Failed, run.Duration,
                new Dictionary<string, string>(), null, $"dotnet test exited {run.ExitCode} without results:\n{Tail(run.Output)}")];
        }
        return TrxResults.Read(trxPath).Select(test => new CheckResult(
            name,
            ShortName(test.FullName),
            test.Figures.GetValueOrDefault("budget", budgetNote),
            test.Passed ? Outcome.Passed : test.Outcome == "NotExecuted" ? Outcome.Skipped : Outcome.Failed,
            test.Duration,
            test.Figures,
            test.Figures.GetValueOrDefault("replay"),
            test.Passed ? null : test.Error)).ToList();
    }

    /// <summary>Class.Method(arguments), without the namespace.</summary>
    private static string ShortName(string fullName)
    {
        int paren = fullName.IndexOf('(', StringComparison.Ordinal);
        string method = paren < 0 ? fullName : fullName[..paren], arguments = paren < 0 ? "" : fullName[paren..];
        string[] parts = method.Split('.');
        return (parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : method) + arguments;
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
