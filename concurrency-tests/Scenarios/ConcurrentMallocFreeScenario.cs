using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 1: 2 to 4 tasks do random malloc/calloc/realloc/free on one pool, each on its own blocks, every block
/// filled with its pattern. At the end of every iteration: no two blocks overlap, every block's contents are intact,
/// the statistics agree with the blocks held and the NULLs seen, the integrity walker passes; then freeing everything
/// and trimming gives the pristine pool back.
/// </summary>
public static class ConcurrentMallocFreeScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=malloc-free</c> selects its tests.</summary>
    public const string Name = "malloc-free";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    /// <summary>Operations each task runs.</summary>
    public const int OperationsPerTask = 8;

    /// <summary>The pool's area: small enough that allocations sometimes fail and spare slabs get released.</summary>
    public const nuint PoolSize = 96 * 1024;

    /// <summary>The same scenario on a pool with per-thread magazines (<see cref="PoolCaching.ThreadMagazines"/>).</summary>
    public const string CachedName = "malloc-free-cached";

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, () => IterationAsync(PoolCaching.None));

    /// <summary>Explores (or replays) the scenario on a caching pool.</summary>
    public static ScenarioResult RunCached(ScenarioSettings settings) => ScenarioRunner.Run(CachedName, settings, () => IterationAsync(PoolCaching.ThreadMagazines));

    private static async Task IterationAsync(PoolCaching caching)
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        PoolAllocator pool = TestPools.Create(areas, PoolSize, caching: caching);
        int taskCount = 2 + Generator.Create().NextInteger(3);

        var workers = new PoolWorker[taskCount];
        var tasks = new Task[taskCount];
        for (int i = 0; i < taskCount; i++)
        {
            PoolWorker worker = workers[i] = new PoolWorker(pool, i, new PrivateBlockStore());
            tasks[i] = Task.Run(() => worker.Run(OperationsPerTask));
        }
        await Task.WhenAll(tasks);

        var held = new List<LiveBlock>();
        long failed = 0;
        foreach (PoolWorker worker in workers)
        {
            held.AddRange(worker.Store.TakeAll());
            failed += worker.FailedAllocations;
        }
        PoolAudit.AssertConsistent(pool, held, failed);
        PoolAudit.AssertFreesToPristine(pool, held);

        Specification.Assert(pool.Delete() == Be.BeConstants.B_OK, "delete_pool of the idle pool failed");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0, $"after delete_pool {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        backend.Dispose();
    }
}
