using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 4: get_module and put_module from several tasks. 2 to 4 tasks each get the module, create 0 to 2 pools,
/// allocate a patterned block in each, delete some, check that the pools they kept are still alive and intact, and
/// put the module away. The pools left over are deleted exactly once, at the last put: at the end of every iteration
/// nobody holds the module, no area is registered or mapped, every created area was unmapped exactly once and never
/// written after its unmap, and one more put_module is refused.
/// </summary>
public static class ModuleGetPutScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=module-get-put</c> selects its tests.</summary>
    public const string Name = "module-get-put";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    private const int BlockSize = 64;
    private const nuint PoolSize = 4 * B_PAGE_SIZE;

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, IterationAsync,
        c => c.WithMemoryAccessRaceCheckingEnabled(true));

    private static async Task IterationAsync()
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        var loader = new ModuleLoader(areas);
        int taskCount = 2 + Generator.Create().NextInteger(3);
        int[] created = new int[taskCount];

        var tasks = new Task[taskCount];
        for (int i = 0; i < taskCount; i++)
        {
            int index = i;
            tasks[i] = Task.Run(() => created[index] = UseModule(loader, index));
        }
        await Task.WhenAll(tasks);

        Specification.Assert(loader.Users == 0, $"{loader.Users} users still hold the module after every task put it away");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0,
            $"after the last put_module {areas.Count} areas and {backend.LiveBytes} bytes are still mapped: a pool survived");
        Specification.Assert(backend.Quarantine.Count == created.Sum(),
            $"{backend.Quarantine.Count} areas were unmapped, expected each of the {created.Sum()} created exactly once");
        IReadOnlyList<string> doubles = backend.DoubleUnmaps;
        Specification.Assert(doubles.Count == 0, $"a pool was deleted twice: {string.Join("; ", doubles)}");
        IReadOnlyList<string> writes = backend.FindWritesAfterUnmap();
        Specification.Assert(writes.Count == 0, $"a deleted pool's memory was written: {string.Join("; ", writes)}");
        Specification.Assert(loader.PutModule(B_AREA_MALLOC_MODULE_NAME) == B_BAD_VALUE, "a put_module with no user was not refused");
        backend.Dispose();
    }

    /// <summary>One task: get, create 0 to 2 pools, use them, delete some, check the rest, put. Returns how many pools it created.</summary>
    private static unsafe int UseModule(ModuleLoader loader, int index)
    {
        Generator random = Generator.Create();
        Specification.Assert(loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? held) == B_OK, $"task {index}: get_module failed");
        AreaMallocModule module = held!;
        int pools = random.NextInteger(3);
        var kept = new List<(nint Id, LiveBlock Block)>();
        for (int p = 0; p < pools; p++)
        {
            void* id = module.CreatePool(B_ANY_ADDRESS, PoolSize, B_NO_LOCK, TestPools.Protection);
            Specification.Assert(id != null, $"task {index}: create_pool returned NULL");
            void* block = module.Malloc(id, BlockSize);
            Specification.Assert(block != null, $"task {index}: malloc on a fresh pool returned NULL");
            var live = new LiveBlock((nint)block, BlockSize, (index << 8) | p, index);
            Patterns.Fill(live.Address, live.Size, live.Id);
            if (random.NextBoolean())
                Specification.Assert(module.DeletePool(id) == B_OK, $"task {index}: delete_pool of its pool failed");
            else
                kept.Add(((nint)id, live));
        }
        foreach ((nint id, LiveBlock block) in kept)
        {
            Specification.Assert(module.FindPool((void*)id) is not null,
                $"task {index}: its pool {block.Id} was deleted while it still held the module (before the last put_module)");
            long damage = Patterns.FirstDamage(block.Address, block.Size, block.Id);
            Specification.Assert(damage < 0, $"task {index}: the block of its pool {block.Id} was overwritten at byte {damage}");
            // Only this task uses this pool, so it is quiet here: every figure it reports keeps its law.
            PoolAudit.AssertLaws(module.FindPool((void*)id)!, $"of task {index}'s pool {block.Id}");
        }
        Specification.Assert(loader.PutModule(B_AREA_MALLOC_MODULE_NAME) == B_OK, $"task {index}: put_module failed");
        return pools;
    }
}
