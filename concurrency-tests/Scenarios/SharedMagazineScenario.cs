using AreaMalloc.Areas;
using AreaMalloc.ConcurrencyTests.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using AreaMalloc.Pool;
using Microsoft.Coyote.Specifications;
using AreaMalloc.Caching;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 10, one magazine reached from two tasks. A pool finds a call's magazine through its map of stack windows
/// (<see cref="StackWindows"/>); a window that straddles two stacks, or the stack of an ended thread that a new thread
/// reuses, routes a thread to a magazine another thread also uses. Here both worker tasks have their windows bound to
/// the magazine of the task that set the pool up, then allocate and free on a shared store of blocks while an auditor
/// task runs the walker, statistics and Trim. Laws: the magazine's compare-exchange lets one task in at a time (the
/// other takes the lock), so the end laws of scenario 1 hold and freeing everything gives the pristine pool back.
/// </summary>
public static class SharedMagazineScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=shared-magazine</c> selects its tests.</summary>
    public const string Name = "shared-magazine";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, IterationAsync);

    private static async Task IterationAsync()
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        PoolAllocator pool = TestPools.Create(areas, MagazineScenario.PoolSize, caching: PoolCaching.ThreadMagazines);
        pool.Free(pool.Malloc(48));
        ThreadMagazine? magazine = pool.CurrentThreadMagazine;
        Specification.Assert(magazine is not null, "the setting-up task has no magazine after a malloc/free pair");

        await MagazineScenario.WorkWithAuditorAsync(pool, refusedFrees: 0, () => RouteCallsFromHere(pool, magazine!));

        Specification.Assert(pool.Delete() == Be.BeConstants.B_OK, "delete_pool of the idle pool failed");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0, $"after delete_pool {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        backend.Dispose();
    }

    /// <summary>Binds the window of this frame, and the one below it where the calls' own frames may lie, to <paramref name="magazine"/>.</summary>
    private static void RouteCallsFromHere(PoolAllocator pool, ThreadMagazine magazine)
    {
        nuint here = StackWindows.CurrentStackAddress();
        pool.BindWindow(here, magazine);
        pool.BindWindow(here - StackWindows.WindowBytes, magazine);
    }
}
