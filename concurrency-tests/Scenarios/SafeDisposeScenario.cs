using AreaMalloc.Areas;
using AreaMalloc.ConcurrencyTests.Backends;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios.Workload;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Idiomatic;
using AreaMalloc.Pool;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 6 on the idiomatic surface: an <see cref="AreaPool"/> made with <see cref="PoolOptions.SafeDeletion"/> is
/// disposed while 1 or 2 other tasks allocate, resize and free on it. Every call either works on the live pool (or
/// finds no room) or throws <see cref="ObjectDisposedException"/>; a call that starts after the dispose always throws; nothing is handed
/// out from, or written into, the unmapped (quarantined) area; nothing stays mapped.
/// </summary>
public static class SafeDisposeScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=safe-dispose</c> selects its tests.</summary>
    public const string Name = "safe-dispose";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 40;

    /// <summary>The pool's area.</summary>
    public const nuint PoolSize = 16 * B_PAGE_SIZE;

    /// <summary>Operations each task runs on the pool.</summary>
    public const int OperationsPerTask = 4;

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, IterationAsync,
        c => c.WithMemoryAccessRaceCheckingEnabled(true));

    private static async Task IterationAsync()
    {
        var backend = new QuarantiningAreaBackend();
        var areas = new AreaRegistry(backend);
        AreaPool pool = AreaPool.Create(PoolSize, new PoolOptions { Areas = areas, Settings = new PoolSettings { Behavior = PoolBehavior.SafeDeletion } });
        int workerCount = 1 + Generator.Create().NextInteger(2);

        var tasks = new Task[workerCount + 1];
        for (int i = 0; i < workerCount; i++)
        {
            int index = i;
            tasks[i] = Task.Run(() => Use(pool, backend, index));
        }
        tasks[workerCount] = Task.Run(pool.Dispose);
        await Task.WhenAll(tasks);

        IReadOnlyList<string> writes = backend.FindWritesAfterUnmap();
        Specification.Assert(writes.Count == 0, $"{DeleteRaceScenario.ViolationPrefix} {string.Join("; ", writes)}");
        Specification.Assert(areas.Count == 0 && backend.LiveBytes == 0, $"after Dispose {areas.Count} areas and {backend.LiveBytes} bytes are still mapped");
        backend.Dispose();
    }

    private static void Use(AreaPool pool, QuarantiningAreaBackend backend, int index)
    {
        Generator random = Generator.Create();
        var blocks = new List<nint>();
        for (int i = 0; i < OperationsPerTask; i++)
        {
            bool disposedBefore = pool.Allocator.IsDeleted;
            int operation = blocks.Count == 0 ? random.NextInteger(2) : random.NextInteger(4);
            string name = operation switch { 0 => "Allocate", 1 => "AllocateZeroed", 2 => "Resize", _ => "Free" };
            try
            {
                nint block = operation switch
                {
                    0 => pool.Allocate((nuint)(1 + random.NextInteger(3000))),
                    1 => pool.AllocateZeroed(2, (nuint)(1 + random.NextInteger(1500))),
                    2 => pool.Resize(Take(blocks, random), (nuint)(1 + random.NextInteger(3000))),
                    _ => Free(pool, Take(blocks, random)),
                };
                Specification.Assert(!disposedBefore, $"task {index}: {name} on a disposed pool did not throw ObjectDisposedException");
                DeleteRaceWorker.AssertNoUseAfterDelete(backend, $"task {index}'s {name}", block, disposedBefore);
                if (block != 0)
                    blocks.Add(block);
            }
            catch (PoolExhaustedException)
            {
                // No room (slabs of several classes can fill a small pool): legitimate, and only ever from a live pool.
                Specification.Assert(!disposedBefore, $"task {index}: {name} on a disposed pool threw PoolExhaustedException, not ObjectDisposedException");
            }
            catch (ObjectDisposedException)
            {
                Specification.Assert(pool.Allocator.IsDeleted, $"task {index}: {name} threw ObjectDisposedException on a live pool");
                DeleteRaceWorker.AssertNoUseAfterDelete(backend, $"task {index}'s {name}", 0, disposedBefore);
            }
        }
    }

    private static nint Take(List<nint> blocks, Generator random)
    {
        int index = random.NextInteger(blocks.Count);
        nint block = blocks[index];
        blocks.RemoveAt(index);
        return block;
    }

    private static nint Free(AreaPool pool, nint block)
    {
        pool.Free(block);
        return 0;
    }
}
