namespace AreaMalloc.Certify.Campaign;

/// <summary>Builds the solution once (the test stages then run with --no-build); Coyote's rewriting runs as part of it.</summary>
internal sealed class BuildStage : IStage
{
    /// <inheritdoc />
    public string Name => "build";

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, Action<long, long, string?> progress, CancellationToken cancel)
    {
        progress(0, 1, "dotnet build");
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("dotnet",
            ["build", "AreaMalloc.Verify.sln", "-c", settings.Configuration, "-nologo", "-v", "quiet"], null, null, cancel).ConfigureAwait(false);
        progress(1, 1, null);
        return [new CheckResult(Name, "solution builds (warnings as errors) and Coyote rewrites", "-",
            run.ExitCode == 0 ? Outcome.Passed : Outcome.Failed, run.Duration, new Dictionary<string, string>(), null,
            run.ExitCode == 0 ? null : run.Output)];
    }
}
