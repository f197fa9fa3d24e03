using Microsoft.Coyote;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>The Coyote 1.7.11 exploration strategies the scenarios use.</summary>
public enum ExplorationStrategy
{
    /// <summary>Coyote's default: its tuned portfolio of strategies (no <c>With...Strategy</c> call).</summary>
    Default,
    /// <summary>Uniformly random scheduling decisions (<c>WithRandomStrategy</c>).</summary>
    Random,
    /// <summary>Priority-based, PCT-like: random priorities with a few priority changes per iteration (<c>WithPrioritizationStrategy</c>).</summary>
    Prioritization,
    /// <summary>Keeps running the current task, switching with probability 1/2^3 (<c>WithProbabilisticStrategy</c>).</summary>
    Probabilistic,
}

/// <summary>Applies an <see cref="ExplorationStrategy"/> to a Coyote configuration.</summary>
public static class ExplorationStrategies
{
    /// <summary>Priority changes per iteration for <see cref="ExplorationStrategy.Prioritization"/> (Coyote's default bound is 10).</summary>
    public const uint PriorityChangeBound = 10;

    /// <summary>The short name used in trace file names and reports.</summary>
    public static string ShortName(this ExplorationStrategy strategy) => strategy switch
    {
        ExplorationStrategy.Default => "default",
        ExplorationStrategy.Random => "random",
        ExplorationStrategy.Prioritization => "pct",
        ExplorationStrategy.Probabilistic => "probabilistic",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    /// <summary>The configuration set to explore with <paramref name="strategy"/>.</summary>
    public static Configuration Apply(this Configuration configuration, ExplorationStrategy strategy) => strategy switch
    {
        ExplorationStrategy.Default => configuration,
        ExplorationStrategy.Random => configuration.WithRandomStrategy(),
        ExplorationStrategy.Prioritization => configuration.WithPrioritizationStrategy(isFair: false, PriorityChangeBound),
        ExplorationStrategy.Probabilistic => configuration.WithProbabilisticStrategy(3),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };
}
