namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>How one scenario is run: how many iterations, with which strategy and seed, where traces go, and
/// optionally a trace to replay instead of exploring.</summary>
public sealed record ScenarioSettings
{
    /// <summary>Iterations to explore (ignored when replaying: a replay is one iteration).</summary>
    public required uint Iterations { get; init; }

    /// <summary>The exploration strategy.</summary>
    public ExplorationStrategy Strategy { get; init; } = ExplorationStrategy.Default;

    /// <summary>The seed of Coyote's random choices; null picks a fresh one (reported in the result).</summary>
    public uint? Seed { get; init; }

    /// <summary>Where bug traces are written (default <c>artifacts/coyote</c> under the repository root).</summary>
    public string TraceDirectory { get; init; } = TraceFiles.DefaultDirectory;

    /// <summary>A trace file to replay (one iteration along the recorded schedule) instead of exploring.</summary>
    public string? ReplayTrace { get; init; }

    /// <summary>
    /// The settings for a scenario whose CI budget is <paramref name="ciIterations"/>, under the budget
    /// <c>AREAMALLOC_BUDGET</c> names (see <see cref="Budget"/>).
    /// </summary>
    public static ScenarioSettings ForBudget(uint ciIterations, ExplorationStrategy strategy) =>
        new() { Iterations = Budget.Iterations(ciIterations), Strategy = strategy };

    /// <summary>These settings, replaying <paramref name="traceFile"/>.</summary>
    public ScenarioSettings Replaying(string traceFile) => this with { ReplayTrace = traceFile };
}
