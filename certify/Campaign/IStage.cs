namespace AreaMalloc.Certify.Campaign;

/// <summary>One stage of the campaign: it says what it will do, runs, reports progress, and returns the checks it made.</summary>
internal interface IStage
{
    /// <summary>The stage's name, shown in the progress display and the certificate.</summary>
    string Name { get; }

    /// <summary>
    /// Runs the stage: it calls <see cref="IStageProgress.Plan"/> once, before any work, with the total it will count up
    /// to, then <see cref="IStageProgress.Report"/> as work finishes.
    /// </summary>
    Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, IStageProgress progress, CancellationToken cancel);
}

/// <summary>Where a stage reports how far it got.</summary>
internal interface IStageProgress
{
    /// <summary>The stage will finish <paramref name="total"/> <paramref name="unit"/> (tests, gates): known before it starts, never changed.</summary>
    void Plan(long total, string unit, string? what = null);

    /// <summary><paramref name="done"/> of the planned total are finished, <paramref name="failed"/> of them failed; <paramref name="detail"/> says what runs now.</summary>
    void Report(long done, long failed, string? detail);
}

/// <summary>What the whole campaign runs with.</summary>
/// <param name="Budget">The value of AREAMALLOC_BUDGET for every test stage: ci, certification, or a multiplier.</param>
/// <param name="Configuration">The build configuration the tests run in.</param>
/// <param name="OutputDirectory">Where the certificate and its working files go.</param>
internal sealed record CampaignSettings(string Budget, string Configuration, string OutputDirectory);
