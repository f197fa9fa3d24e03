using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 9: the pool's lock alone (<see cref="PoolLockScenario"/>).</summary>
[Trait("Scenario", PoolLockScenario.Name)]
public sealed class PoolLockTests(ITestOutputHelper output)
{
    /// <summary>In every explored schedule one task at a time holds the pool's lock, every waiter gets it, and it ends free.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void The_pool_lock_admits_one_holder_at_a_time_and_wakes_every_waiter(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(PoolLockScenario.Name, PoolLockScenario.CiIterations,
            strategy, PoolLockScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
