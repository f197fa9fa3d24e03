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

/// <summary>One check of the campaign: what was checked, at which budget, how it ended, what it measured and how hard it explored.</summary>
/// <param name="Stage">The campaign stage that ran it.</param>
/// <param name="Name">Class.Method(arguments) for a test, or what a gate checks.</param>
/// <param name="Budget">The budget it ran at, as it reported it.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Duration">Its wall time.</param>
/// <param name="Figures">The <c>certify: key=value</c> figures it printed (seed, iterations, strategy, coverage, ...).</param>
/// <param name="Replay">The command that runs it again (with its seed or trace when it has one).</param>
/// <param name="Details">The failure's message and stack, or null.</param>
internal sealed record CheckResult(
    string Stage,
    string Name,
    string Budget,
    Outcome Outcome,
    TimeSpan Duration,
    IReadOnlyDictionary<string, string> Figures,
    string? Replay,
    string? Details)
{
    /// <summary>The test class as the runner names it (with its namespace), or null for a gate.</summary>
    public string? TestClass { get; init; }

    /// <summary>The test method's name (without a theory's arguments), or null for a gate.</summary>
    public string? TestMethod { get; init; }

    /// <summary>How hard the check explored.</summary>
    public Effort Effort { get; init; } = Effort.None;
}
