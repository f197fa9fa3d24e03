namespace AreaMalloc.Certify.Campaign;

/// <summary>One stage of the campaign: it runs, reports progress, and returns the checks it made.</summary>
internal interface IStage
{
    /// <summary>The stage's name, shown in the progress display and the certificate.</summary>
    string Name { get; }

    /// <summary>Runs the stage; <paramref name="progress"/> receives (done, total, what is running) as it goes.</summary>
    Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, Action<long, long, string?> progress, CancellationToken cancel);
}

/// <summary>What the whole campaign runs with.</summary>
/// <param name="Budget">The value of AREAMALLOC_BUDGET for every test stage: ci, certification, or a multiplier.</param>
/// <param name="Configuration">The build configuration the tests run in.</param>
/// <param name="OutputDirectory">Where the certificate and its working files go.</param>
internal sealed record CampaignSettings(string Budget, string Configuration, string OutputDirectory);
