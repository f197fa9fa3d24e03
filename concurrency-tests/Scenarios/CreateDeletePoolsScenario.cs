using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 3: create_pool and delete_pool of different pools at once, which the Be Book documents as safe. 2 to 4
/// tasks each create 1 or 2 pools through one module, allocate a patterned block in each, and delete some of them
/// (then malloc on the deleted id returns NULL and a second delete_pool returns B_ERROR). At the end of every
/// iteration the registry holds exactly the areas of the pools kept, the module counts exactly those pools, every
/// kept block is intact, no other byte stays mapped, no area was unmapped twice or written after its unmap; and the
/// last put_module deletes the kept pools, leaving nothing mapped.
/// </summary>
public static class CreateDeletePoolsScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=create-delete-pools</c> selects its tests.</summary>
    public const string Name = "create-delete-pools";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    private const int BlockSize = 96;

    private sealed record KeptPool(nint Id, PoolAllocator Pool, nuint Size, LiveBlock Block);

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, IterationAsync,
        c => c.WithMemoryAccessRaceCheckingEnabled(true));

    private static async Task IterationAsync()
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        var loader = new ModuleLoader(areas);
        Specification.Assert(loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? held) == B_OK, "get_module failed");
        AreaMallocModule module = held!;
        var kept = new List<KeptPool>();
        int taskCount = 2 + Generator.Create().NextInteger(3);
        int[] created = new int[taskCount];

        var tasks = new Task[taskCount];
        for (int i = 0; i < taskCount; i++)
        {
            int index = i;
            tasks[i] = Task.Run(() => created[index] = CreateAndDelete(module, index, kept));
        }
        await Task.WhenAll(tasks);

        Specification.Assert(module.PoolCount == kept.Count, $"the module counts {module.PoolCount} pools, expected the {kept.Count} kept");
        int[] registered = areas.Snapshot().Select(a => a.Id).Order().ToArray();
        int[] expected = kept.Select(k => k.Pool.AreaId).Order().ToArray();
        Specification.Assert(registered.SequenceEqual(expected),
            $"the registry holds areas [{string.Join(", ", registered)}], expected exactly the kept pools' [{string.Join(", ", expected)}]");
        ulong keptBytes = kept.Aggregate(0UL, (sum, k) => sum + k.Size);
        Specification.Assert(backend.LiveBytes == keptBytes, $"{backend.LiveBytes} bytes are mapped, expected {keptBytes} (the kept pools): an area leaked");
        AssertNoMisuse(backend);
        foreach (KeptPool pool in kept)
        {
            Specification.Assert(Find(module, pool.Id) == pool.Pool, $"kept pool {pool.Block.Id} is no longer found by its id");
            long damage = Patterns.FirstDamage(pool.Block.Address, pool.Block.Size, pool.Block.Id);
            Specification.Assert(damage < 0, $"the block of kept pool {pool.Block.Id} was overwritten at byte {damage}");
            IntegrityReport integrity = pool.Pool.CheckIntegrity();
            Specification.Assert(integrity.IsValid, $"kept pool {pool.Block.Id}: {integrity}");
            PoolAudit.AssertLaws(pool.Pool, $"of kept pool {pool.Block.Id}");
        }

        Specification.Assert(loader.PutModule(B_AREA_MALLOC_MODULE_NAME) == B_OK, "put_module failed");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0,
            $"after the last put_module {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        Specification.Assert(backend.Quarantine.Count == created.Sum(),
            $"{backend.Quarantine.Count} areas were unmapped, expected each of the {created.Sum()} created exactly once");
        AssertNoMisuse(backend);
        backend.Dispose();
    }

    /// <summary>One task: creates 1 or 2 pools, allocates a patterned block in each, deletes some. Returns how many it created.</summary>
    private static unsafe int CreateAndDelete(AreaMallocModule module, int index, List<KeptPool> kept)
    {
        Generator random = Generator.Create();
        int pools = 1 + random.NextInteger(2);
        for (int p = 0; p < pools; p++)
        {
            nuint size = (nuint)(B_PAGE_SIZE * (4 + 4 * random.NextInteger(2)));
            void* id = module.CreatePool(B_ANY_ADDRESS, size, B_NO_LOCK, TestPools.Protection);
            Specification.Assert(id != null, $"task {index}: create_pool({size}) returned NULL");
            void* block = module.Malloc(id, BlockSize);
            Specification.Assert(block != null, $"task {index}: malloc({BlockSize}) on a fresh pool returned NULL");
            var live = new LiveBlock((nint)block, BlockSize, (index << 8) | p, index);
            Patterns.Fill(live.Address, live.Size, live.Id);
            if (random.NextBoolean())
            {
                Specification.Assert(module.DeletePool(id) == B_OK, $"task {index}: delete_pool of its pool failed");
                Specification.Assert(module.Malloc(id, 16) == null, $"task {index}: malloc on a deleted pool id returned a block");
                Specification.Assert(module.DeletePool(id) == B_ERROR, $"task {index}: a second delete_pool of the same id did not return B_ERROR");
            }
            else
            {
                PoolAllocator? pool = module.FindPool(id);
                Specification.Assert(pool is not null, $"task {index}: its new pool is not found by its id");
                lock (kept)
                    kept.Add(new KeptPool((nint)id, pool!, size, live));
            }
        }
        return pools;
    }

    private static unsafe PoolAllocator? Find(AreaMallocModule module, nint id) => module.FindPool((void*)id);

    private static void AssertNoMisuse(QuarantiningAreaBackend backend)
    {
        IReadOnlyList<string> doubles = backend.DoubleUnmaps;
        Specification.Assert(doubles.Count == 0, $"an area was unmapped twice: {string.Join("; ", doubles)}");
        IReadOnlyList<string> writes = backend.FindWritesAfterUnmap();
        Specification.Assert(writes.Count == 0, $"a deleted pool's memory was written: {string.Join("; ", writes)}");
    }
}
