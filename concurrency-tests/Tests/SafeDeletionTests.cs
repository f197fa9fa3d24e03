using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using AreaMalloc.Pool;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 6: opt-in safe deletion (<see cref="PoolBehavior.SafeDeletion"/>), beyond the Be Book.</summary>
[Trait("Scenario", DeleteRaceScenario.SafeName)]
public sealed class SafeDeletionTests(ITestOutputHelper output)
{
    /// <summary>Scenario 5's race run against pools with safe deletion: Coyote finds no use of the deleted pool.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Safe_deletion_makes_the_delete_pool_race_harmless(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(DeleteRaceScenario.SafeName, DeleteRaceScenario.CiIterations, strategy,
            s => DeleteRaceScenario.Run(s, PoolBehavior.SafeDeletion), output);
        ScenarioTest.AssertNoBug(result);
    }
}

/// <summary>Scenario 6 on the idiomatic surface: <see cref="PoolOptions.SafeDeletion"/> (<see cref="SafeDisposeScenario"/>).</summary>
[Trait("Scenario", SafeDisposeScenario.Name)]
public sealed class SafeDisposeTests(ITestOutputHelper output)
{
    /// <summary>Disposing a safe AreaPool while it is used: later calls throw ObjectDisposedException, nothing touches the unmapped area.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Disposing_a_safe_area_pool_in_use_fails_later_calls_cleanly(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(SafeDisposeScenario.Name, SafeDisposeScenario.CiIterations, strategy,
            SafeDisposeScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
