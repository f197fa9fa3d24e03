using AreaMalloc.Pool;
using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// The thread harness of the workload-5 benchmarks, with their five benchmarks (the pool locked and with magazines,
/// glibc, mimalloc's thread-local default heaps, jemalloc): <see cref="Threads"/> long-lived workers that each run one share
/// of an invocation between two barrier phases, and two pools (locked, and with thread magazines). The time per
/// operation is total time / <see cref="TotalOps"/>, the inverse of the total throughput, so 1-thread time / 2-thread
/// time is the scaling.
/// </summary>
public abstract class ThreadedWorkload
{
    /// <summary>Operations per invocation, split evenly across the threads.</summary>
    public const int TotalOps = 200_000;

    /// <summary>Slots of the shared size table (and of the shared block table where a workload has one).</summary>
    public const int SlotCount = 4096;

    /// <summary>How many worker threads share an invocation.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    private protected PoolAlloc PoolLocked;
    private protected PoolAlloc PoolCachedAlloc;

    /// <summary>Request sizes, 16 to 256 B, drawn once.</summary>
    private protected readonly uint[] Sizes = MakeSizes();

    private Thread[] _workers = [];
    private Barrier? _barrier;
    private Action<int>? _work;
    private volatile bool _stop;

    [GlobalSetup]
    public void Setup()
    {
        PoolLocked = PoolAlloc.Create(64 << 20);
        PoolCachedAlloc = PoolAlloc.Create(64 << 20, PoolCaching.ThreadMagazines);
        _stop = false;
        _barrier = new Barrier(Threads + 1);
        _workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            _workers[t] = new Thread(() => WorkerLoop(id)) { IsBackground = true, Name = $"{GetType().Name} worker {t}" };
            _workers[t].Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _barrier!.SignalAndWait();
        foreach (Thread t in _workers)
            t.Join();
        _barrier.Dispose();
        PoolLocked.Delete();
        PoolCachedAlloc.Delete();
    }

    /// <summary>Runs <paramref name="work"/>(thread index) on every worker and returns when all are done.</summary>
    private void RunAll(Action<int> work)
    {
        _work = work;
        _barrier!.SignalAndWait(); // start
        _barrier.SignalAndWait(); // done
    }

    private void WorkerLoop(int id)
    {
        while (true)
        {
            _barrier!.SignalAndWait();
            if (_stop)
                return;
            _work!(id);
            _barrier.SignalAndWait();
        }
    }

    [Benchmark(OperationsPerInvoke = TotalOps)] public void Pool() => RunAll(id => Work(PoolLocked, id));
    [Benchmark(OperationsPerInvoke = TotalOps)] public void PoolCached() => RunAll(id => Work(PoolCachedAlloc, id));
    [Benchmark(OperationsPerInvoke = TotalOps, Baseline = true)] public void Glibc() => RunAll(id => Work(default(GlibcAlloc), id));
    [Benchmark(OperationsPerInvoke = TotalOps)] public void Mimalloc() => RunAll(id => Work(default(MiDefaultAlloc), id));
    [Benchmark(OperationsPerInvoke = TotalOps)] public void Jemalloc() => RunAll(id => Work(default(JeAlloc), id));

    /// <summary>One thread's share of an invocation on allocator <paramref name="a"/> (specialized per allocator struct).</summary>
    private protected abstract void Work<T>(T a, int id) where T : struct, IAlloc;

    private static uint[] MakeSizes()
    {
        var rng = new Random(5);
        var sizes = new uint[SlotCount];
        for (int i = 0; i < sizes.Length; i++)
            sizes[i] = (uint)rng.Next(16, 257);
        return sizes;
    }
}
