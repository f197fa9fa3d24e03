using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 8, per-thread magazines (<see cref="PoolCaching.ThreadMagazines"/>). First two tasks free the same small block
/// at once, each through its own magazine; then two tasks allocate and free on a shared store of blocks (so blocks move
/// between magazines). In both phases an auditor task runs the integrity walker, statistics and Trim, whose locked
/// sections stop the magazines and drain them while the tasks' lock-free fast paths may be in flight. Laws: the double
/// free is freed exactly once (one Live, one NotLive); every walk the auditor runs passes; at the end the laws of
/// scenario 1 hold (with the one refused free) and freeing everything gives the pristine pool back.
/// </summary>
public static class MagazineScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=magazines</c> selects its tests.</summary>
    public const string Name = "magazines";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    /// <summary>Operations each worker task runs.</summary>
    public const int OperationsPerTask = 6;

    /// <summary>The pool's area.</summary>
    public const nuint PoolSize = 96 * 1024;

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, IterationAsync);

    private static async Task IterationAsync()
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        PoolAllocator pool = TestPools.Create(areas, PoolSize, caching: PoolCaching.ThreadMagazines);
        nint victim = pool.Malloc(48);
        Specification.Assert(victim != 0, "malloc(48) of a fresh pool failed");

        // Phase 1: the double free, with the auditor racing it. A pair of another class binds each task's magazine,
        // so that the victim's class sees no allocation: no task can get the victim back between the two frees.
        var freedVictim = new BlockCheck[2];
        var racers = new Task[3];
        for (int i = 0; i < 2; i++)
        {
            int me = i;
            racers[i] = Task.Run(() =>
            {
                pool.Free(pool.Malloc(200));
                freedVictim[me] = pool.Free(victim);
            });
        }
        racers[2] = Task.Run(() => Audit(pool));
        await Task.WhenAll(racers);
        var outcome = (freedVictim[0], freedVictim[1]);
        Specification.Assert(outcome is (BlockCheck.Live, BlockCheck.NotLive) or (BlockCheck.NotLive, BlockCheck.Live),
            $"two tasks freed one block at once and got {outcome}; expected one Live and one NotLive");

        // Phase 2: blocks move between the two tasks' magazines through the shared store, the auditor racing them.
        await WorkWithAuditorAsync(pool, refusedFrees: 1);

        Specification.Assert(pool.Delete() == Be.BeConstants.B_OK, "delete_pool of the idle pool failed");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0, $"after delete_pool {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        backend.Dispose();
    }

    /// <summary>
    /// Two worker tasks allocate and free on a shared store of blocks (so blocks move between magazines) while an
    /// auditor task runs <see cref="Audit"/>; then the end laws of scenario 1 hold (with <paramref name="refusedFrees"/>
    /// refused before) and freeing everything gives the pristine pool back. <paramref name="beforeWork"/>, when given,
    /// runs first on each worker task (also the work of <see cref="SharedMagazineScenario"/>).
    /// </summary>
    internal static async Task WorkWithAuditorAsync(PoolAllocator pool, long refusedFrees, Action? beforeWork = null)
    {
        var shared = new SharedBlockStore();
        var workers = new PoolWorker[2];
        var tasks = new Task[3];
        for (int i = 0; i < 2; i++)
        {
            PoolWorker worker = workers[i] = new PoolWorker(pool, i, shared);
            tasks[i] = Task.Run(() =>
            {
                beforeWork?.Invoke();
                worker.Run(OperationsPerTask);
            });
        }
        tasks[2] = Task.Run(() => Audit(pool));
        await Task.WhenAll(tasks);

        IReadOnlyList<LiveBlock> held = shared.TakeAll();
        PoolAudit.AssertConsistent(pool, held, workers.Sum(w => w.FailedAllocations), refusedFrees);
        PoolAudit.AssertFreesToPristine(pool, held);
    }

    /// <summary>Two whole-pool operations, each stopping and draining the magazines while the tasks run.</summary>
    private static void Audit(PoolAllocator pool)
    {
        Generator random = Generator.Create();
        for (int i = 0; i < 2; i++)
        {
            switch (random.NextInteger(3))
            {
                case 0:
                    IntegrityReport report = pool.CheckIntegrity();
                    Specification.Assert(report.IsValid, $"integrity walker while the tasks run: {report}");
                    break;
                case 1:
                    PoolStatistics stats = pool.GetStatistics();
                    // Drained, the statistics count exactly the blocks the tasks hold: never below zero, never more
                    // than they could have allocated, and no bytes exactly when no block.
                    Specification.Assert(stats.LiveBlocks is >= 0 and <= 1 + 2 * OperationsPerTask && (stats.LiveBlocks == 0) == (stats.BytesInUse == 0),
                        $"statistics while the tasks run: {stats.LiveBlocks} live blocks and {stats.BytesInUse} bytes in use; expected 0 to {1 + 2 * OperationsPerTask} blocks, with bytes exactly when blocks");
                    break;
                default:
                    pool.Trim();
                    break;
            }
        }
    }
}
