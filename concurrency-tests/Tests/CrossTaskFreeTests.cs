using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 2: blocks freed or reallocated by another task than the one that allocated them (<see cref="CrossTaskFreeScenario"/>).</summary>
[Trait("Scenario", CrossTaskFreeScenario.Name)]
public sealed class CrossTaskFreeTests(ITestOutputHelper output)
{
    /// <summary>A block may be freed or resized by any task: contents, statistics and integrity stay right.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Blocks_freed_or_reallocated_by_another_task_stay_consistent(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(CrossTaskFreeScenario.Name, CrossTaskFreeScenario.CiIterations,
            strategy, CrossTaskFreeScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
