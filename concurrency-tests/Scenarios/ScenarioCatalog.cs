using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.Pool;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Every scenario, with what the tests and the hunting entry point need to run it: its law, its CI iterations, the
/// strategies it is explored with and the outcome it must have. The scenario theory (<c>Tests/EveryScenario.cs</c>) has
/// one row per scenario and strategy, so adding a scenario here adds it to the tests; <c>Hunting/Program.cs</c> runs one
/// by its name outside xunit (the same definitions the tests run).
/// </summary>
public static class ScenarioCatalog
{
    /// <summary>The strategies every scenario is explored with: Coyote's portfolio and priority-based (PCT-like) scheduling.</summary>
    private static readonly ExplorationStrategy[] Usual = [ExplorationStrategy.Default, ExplorationStrategy.Prioritization];

    /// <summary>The scenarios, in the order the tests run them.</summary>
    public static IReadOnlyList<ScenarioEntry> All { get; } =
    [
        new(ConcurrentMallocFreeScenario.Name, "Concurrent_malloc_free_on_one_pool_never_overlaps_or_corrupts",
            ConcurrentMallocFreeScenario.CiIterations, Usual, ScenarioExpectation.NoBug, ConcurrentMallocFreeScenario.Run),
        new(CrossTaskFreeScenario.Name, "Blocks_freed_or_reallocated_by_another_task_stay_consistent",
            CrossTaskFreeScenario.CiIterations, Usual, ScenarioExpectation.NoBug, CrossTaskFreeScenario.Run),
        new(ConcurrentMallocFreeScenario.CachedName, "Concurrent_malloc_free_on_a_caching_pool_never_overlaps_or_corrupts",
            ConcurrentMallocFreeScenario.CiIterations, Usual, ScenarioExpectation.NoBug, ConcurrentMallocFreeScenario.RunCached),
        new(CrossTaskFreeScenario.CachedName, "Cross_task_frees_on_a_caching_pool_never_overlap_or_corrupt",
            CrossTaskFreeScenario.CiIterations, Usual, ScenarioExpectation.NoBug, CrossTaskFreeScenario.RunCached),
        new(MagazineScenario.Name, "Magazines_free_a_double_free_once_and_stay_whole_under_racing_walks",
            MagazineScenario.CiIterations, Usual, ScenarioExpectation.NoBug, MagazineScenario.Run),
        new(SharedMagazineScenario.Name, "Two_tasks_routed_to_one_magazine_never_overlap_or_corrupt",
            SharedMagazineScenario.CiIterations, Usual, ScenarioExpectation.NoBug, SharedMagazineScenario.Run),
        new(CreateDeletePoolsScenario.Name, "Concurrent_create_and_delete_of_different_pools_keep_the_registry_consistent_and_leak_nothing",
            CreateDeletePoolsScenario.CiIterations, Usual, ScenarioExpectation.NoBug, CreateDeletePoolsScenario.Run),
        new(ModuleGetPutScenario.Name, "Remaining_pools_are_deleted_exactly_once_at_the_last_put_module",
            ModuleGetPutScenario.CiIterations, Usual, ScenarioExpectation.NoBug, ModuleGetPutScenario.Run),
        new(DeleteRaceScenario.UnsafeName, "Unsafe_delete_pool_race_is_found_and_replayed",
            DeleteRaceScenario.CiIterationsToFind, [.. Usual, ExplorationStrategy.Random],
            ScenarioExpectation.FindsViolation(DeleteRaceScenario.ViolationPrefix), s => DeleteRaceScenario.Run(s, PoolBehavior.BeBook)),
        new(DeleteRaceScenario.SafeName, "Safe_deletion_makes_the_delete_pool_race_harmless",
            DeleteRaceScenario.CiIterations, Usual, ScenarioExpectation.NoBug, s => DeleteRaceScenario.Run(s, PoolBehavior.SafeDeletion)),
        new(SafeDisposeScenario.Name, "Disposing_a_safe_area_pool_in_use_fails_later_calls_cleanly",
            SafeDisposeScenario.CiIterations, Usual, ScenarioExpectation.NoBug, SafeDisposeScenario.Run),
        new(PoolLockScenario.Name, "The_pool_lock_admits_one_holder_at_a_time_and_wakes_every_waiter",
            PoolLockScenario.CiIterations, Usual, ScenarioExpectation.NoBug, PoolLockScenario.Run),
    ];

    /// <summary>The scenario named <paramref name="name"/>, or null.</summary>
    public static ScenarioEntry? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The scenario a trace file belongs to: the longest scenario name its file name starts with (then a dash).</summary>
    public static string? ScenarioOfTrace(string tracePath)
    {
        string file = Path.GetFileName(tracePath);
        return All.Select(s => s.Name).Where(name => file.StartsWith(name + "-", StringComparison.Ordinal))
            .OrderByDescending(n => n.Length).FirstOrDefault();
    }

    /// <summary>The strategy whose short name is <paramref name="name"/> (default, random, pct, probabilistic).</summary>
    public static ExplorationStrategy? Strategy(string name) =>
        Enum.GetValues<ExplorationStrategy>().Cast<ExplorationStrategy?>().FirstOrDefault(s => s!.Value.ShortName() == name);
}
