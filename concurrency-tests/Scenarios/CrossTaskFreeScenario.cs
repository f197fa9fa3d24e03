using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 2: blocks allocated in one task are freed or reallocated in another. 2 to 3 tasks share one store of
/// blocks: each allocation goes into the store, each free or realloc takes a block from it, whoever allocated it.
/// Every block carries its pattern, checked before it is freed or resized. At the end of every iteration the same
/// laws as scenario 1 hold, and freeing everything gives the pristine pool back.
/// </summary>
public static class CrossTaskFreeScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=cross-task-free</c> selects its tests.</summary>
    public const string Name = "cross-task-free";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    /// <summary>Operations each task runs.</summary>
    public const int OperationsPerTask = 8;

    /// <summary>The pool's area.</summary>
    public const nuint PoolSize = 96 * 1024;

    /// <summary>The same scenario on a pool with per-thread magazines (<see cref="PoolCaching.ThreadMagazines"/>).</summary>
    public const string CachedName = "cross-task-free-cached";

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, () => IterationAsync(PoolCaching.None));

    /// <summary>Explores (or replays) the scenario on a caching pool.</summary>
    public static ScenarioResult RunCached(ScenarioSettings settings) => ScenarioRunner.Run(CachedName, settings, () => IterationAsync(PoolCaching.ThreadMagazines));

    private static async Task IterationAsync(PoolCaching caching)
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        PoolAllocator pool = TestPools.Create(areas, PoolSize, caching: caching);
        var shared = new SharedBlockStore();
        int taskCount = 2 + Generator.Create().NextInteger(2);

        var workers = new PoolWorker[taskCount];
        var tasks = new Task[taskCount];
        for (int i = 0; i < taskCount; i++)
        {
            PoolWorker worker = workers[i] = new PoolWorker(pool, i, shared);
            tasks[i] = Task.Run(() => worker.Run(OperationsPerTask));
        }
        await Task.WhenAll(tasks);

        IReadOnlyList<LiveBlock> held = shared.TakeAll();
        PoolAudit.AssertConsistent(pool, held, workers.Sum(w => w.FailedAllocations));
        PoolAudit.AssertFreesToPristine(pool, held);

        Specification.Assert(pool.Delete() == Be.BeConstants.B_OK, "delete_pool of the idle pool failed");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0, $"after delete_pool {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        backend.Dispose();
    }
}
