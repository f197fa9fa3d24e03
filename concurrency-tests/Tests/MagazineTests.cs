using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>
/// Per-thread magazines under Coyote: scenarios 1 and 2 on caching pools, and the magazine scenario
/// (<see cref="MagazineScenario"/>: a double free from two tasks at once, whole-pool operations racing the fast paths), and
/// one magazine reached from two tasks (<see cref="SharedMagazineScenario"/>).
/// </summary>
public sealed class MagazineTests(ITestOutputHelper output)
{
    /// <summary>Scenario 1's laws hold when small blocks wait in per-thread magazines.</summary>
    [Theory]
    [Trait("Scenario", ConcurrentMallocFreeScenario.CachedName)]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Concurrent_malloc_free_on_a_caching_pool_never_overlaps_or_corrupts(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(ConcurrentMallocFreeScenario.CachedName, ConcurrentMallocFreeScenario.CiIterations,
            strategy, ConcurrentMallocFreeScenario.RunCached, output);
        ScenarioTest.AssertNoBug(result);
    }

    /// <summary>Scenario 2's laws hold when blocks freed by another task wait in that task's magazine.</summary>
    [Theory]
    [Trait("Scenario", CrossTaskFreeScenario.CachedName)]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Cross_task_frees_on_a_caching_pool_never_overlap_or_corrupt(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(CrossTaskFreeScenario.CachedName, CrossTaskFreeScenario.CiIterations,
            strategy, CrossTaskFreeScenario.RunCached, output);
        ScenarioTest.AssertNoBug(result);
    }

    /// <summary>A double free from two tasks at once is freed once, and walks, statistics and Trim racing the fast paths keep the pool whole.</summary>
    [Theory]
    [Trait("Scenario", MagazineScenario.Name)]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Magazines_free_a_double_free_once_and_stay_whole_under_racing_walks(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(MagazineScenario.Name, MagazineScenario.CiIterations, strategy, MagazineScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }

    /// <summary>Two tasks whose stack windows name one magazine use it in turn: the end laws hold and the pool frees back to pristine.</summary>
    [Theory]
    [Trait("Scenario", SharedMagazineScenario.Name)]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Two_tasks_routed_to_one_magazine_never_overlap_or_corrupt(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(SharedMagazineScenario.Name, SharedMagazineScenario.CiIterations, strategy, SharedMagazineScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
