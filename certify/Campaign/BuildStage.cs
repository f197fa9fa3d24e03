namespace AreaMalloc.Certify.Campaign;

/// <summary>Builds the solution once (the test stages then run with --no-build); Coyote's rewriting runs as part of it.</summary>
internal sealed class BuildStage : IStage
{
    /// <inheritdoc />
    public string Name => "build";

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, IStageProgress progress, CancellationToken cancel)
    {
        progress.Plan(1, "build", "dotnet build AreaMalloc.Verify.sln");
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("dotnet",
            ["build", "AreaMalloc.Verify.sln", "-c", settings.Configuration, "-nologo", "-v", "quiet"], null,
            () => progress.Report(0, 0, "dotnet build"), cancel).ConfigureAwait(false);
        progress.Report(1, run.ExitCode == 0 ? 0 : 1, null);
        return [new CheckResult(Name, "solution builds (warnings as errors) and Coyote rewrites", "-",
            run.ExitCode == 0 ? Outcome.Passed : Outcome.Failed, run.Duration, new Dictionary<string, string>(),
            $"dotnet build AreaMalloc.Verify.sln -c {settings.Configuration}", run.ExitCode == 0 ? null : run.Output)];
    }
}
