using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 1: concurrent malloc/calloc/realloc/free on one pool (<see cref="ConcurrentMallocFreeScenario"/>).</summary>
[Trait("Scenario", ConcurrentMallocFreeScenario.Name)]
public sealed class ConcurrentMallocFreeTests(ITestOutputHelper output)
{
    /// <summary>No overlap, intact contents, consistent statistics and a passing integrity walker, whatever the interleaving.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Concurrent_malloc_free_on_one_pool_never_overlaps_or_corrupts(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(ConcurrentMallocFreeScenario.Name, ConcurrentMallocFreeScenario.CiIterations,
            strategy, ConcurrentMallocFreeScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
