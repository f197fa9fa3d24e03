using AreaMalloc.Areas;
using AreaMalloc.ConcurrencyTests.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenarios 5 and 6: delete_pool of a pool while 1 or 2 other tasks call malloc/calloc/realloc/free on it through
/// the module. The pool's area is unmapped into a <see cref="QuarantiningAreaBackend"/>, so a use after the delete
/// does not crash the process but is seen: a block handed out inside the deleted area (checked after every call), or
/// a byte of the area written after the delete (checked at the end of the iteration). Both are specification
/// failures, stated with offsets so that a replay reports the same text.
/// <para>Under <see cref="PoolBehavior.BeBook"/> this race is documented as unsafe and Coyote must find the violation
/// (<see cref="UnsafeName"/>); under <see cref="PoolBehavior.SafeDeletion"/> it must find none, and every call that
/// starts after the delete must fail cleanly (<see cref="SafeName"/>).</para>
/// </summary>
public static class DeleteRaceScenario
{
    /// <summary>The Be Book's behaviour: the race is a bug Coyote must find.</summary>
    public const string UnsafeName = "delete-race";

    /// <summary>Safe deletion: Coyote must find nothing.</summary>
    public const string SafeName = "delete-race-safe";

    /// <summary>
    /// Iterations under the CI budget within which Coyote must find the unsafe race. Measured over 40 seeds each, it
    /// found it after a median of 14 iterations (at most 150) with the default portfolio, 41 (at most 229) with
    /// prioritization, 21 (at most 49) with random scheduling: this bound leaves a miss probability below 1e-7.
    /// </summary>
    public const uint CiIterationsToFind = 1000;

    /// <summary>Iterations under the CI budget of the safe run, which must find nothing.</summary>
    public const uint CiIterations = 40;

    /// <summary>Operations each task runs on the pool.</summary>
    public const int OperationsPerTask = 4;

    /// <summary>The pool's area.</summary>
    public const nuint PoolSize = 8 * B_PAGE_SIZE;

    /// <summary>The start of every report of a use of the deleted pool (the same in a replay).</summary>
    public const string ViolationPrefix = "use after delete_pool:";

    /// <summary>The scenario's name for <paramref name="behavior"/>.</summary>
    public static string NameOf(PoolBehavior behavior) => behavior == PoolBehavior.SafeDeletion ? SafeName : UnsafeName;

    /// <summary>Explores (or replays) the race for pools with <paramref name="behavior"/>.</summary>
    public static ScenarioResult Run(ScenarioSettings settings, PoolBehavior behavior) =>
        ScenarioRunner.Run(NameOf(behavior), settings, () => IterationAsync(behavior),
            c => c.WithMemoryAccessRaceCheckingEnabled(true));

    private static async Task IterationAsync(PoolBehavior behavior)
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        var loader = new ModuleLoader(areas, new PoolSettings { Behavior = behavior });
        Specification.Assert(loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? held) == B_OK, "get_module failed");
        AreaMallocModule module = held!;
        nint poolId = CreatePool(module, out PoolAllocator pool);
        int workerCount = 1 + Generator.Create().NextInteger(2);

        var tasks = new Task[workerCount + 1];
        for (int i = 0; i < workerCount; i++)
        {
            var worker = new DeleteRaceWorker(module, poolId, pool, backend, i);
            tasks[i] = Task.Run(() => worker.Run(OperationsPerTask));
        }
        tasks[workerCount] = Task.Run(() => Delete(module, poolId));
        await Task.WhenAll(tasks);

        IReadOnlyList<string> writes = backend.FindWritesAfterUnmap();
        Specification.Assert(writes.Count == 0, $"{ViolationPrefix} {string.Join("; ", writes)}");
        Specification.Assert(backend.DoubleUnmaps.Count == 0, $"the pool's area was unmapped twice: {string.Join("; ", backend.DoubleUnmaps)}");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0, $"after delete_pool {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        Specification.Assert(loader.PutModule(B_AREA_MALLOC_MODULE_NAME) == B_OK, "put_module failed");
        backend.Dispose();
    }

    private static unsafe nint CreatePool(AreaMallocModule module, out PoolAllocator pool)
    {
        void* id = module.CreatePool(B_ANY_ADDRESS, PoolSize, B_NO_LOCK, TestPools.Protection);
        Specification.Assert(id != null, "create_pool returned NULL");
        pool = module.FindPool(id)!;
        return (nint)id;
    }

    private static unsafe void Delete(AreaMallocModule module, nint poolId) =>
        Specification.Assert(module.DeletePool((void*)poolId) == B_OK, "delete_pool of the live pool did not return B_OK");
}
