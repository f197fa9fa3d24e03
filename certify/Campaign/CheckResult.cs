namespace AreaMalloc.Certify.Campaign;

/// <summary>How a check ended.</summary>
internal enum Outcome
{
    /// <summary>The check's expectation held.</summary>
    Passed,
    /// <summary>The check's expectation did not hold.</summary>
    Failed,
    /// <summary>The check was not run (not asked for, or a prerequisite is missing).</summary>
    Skipped,
}

/// <summary>One line of the certificate: what was checked, at which budget, how it ended, and what it measured.</summary>
internal sealed record CheckResult(
    string Stage,
    string Name,
    string Budget,
    Outcome Outcome,
    TimeSpan Duration,
    IReadOnlyDictionary<string, string> Figures,
    string? Replay,
    string? Details);
