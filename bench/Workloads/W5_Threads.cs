using AreaMalloc.Pool;
using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// Workload 5: 1 or 2 threads allocating and freeing on one pool (or one process allocator), cross-thread frees
/// included. Each operation: malloc a small block (16 to 256 B), write to it, swap it into a slot of a shared
/// table of 4,096 slots (Interlocked.Exchange) and free whatever was there, which the other thread allocated about
/// half of the time. 200,000 operations per invocation are split evenly across the threads, so the time per
/// operation is the inverse of the total throughput: 1-thread time / 2-thread time is the scaling.
/// mimalloc runs on its thread-local default heaps (mi_malloc/mi_free): a first-class heap is single-threaded.
/// </summary>
public class W5_Threads
{
    private const int TotalOps = 200_000;
    private const int SlotCount = 4096;

    [Params(1, 2)]
    public int Threads { get; set; }

    private PoolAlloc _pool;
    private PoolAlloc _cached;
    private readonly nint[] _slots = new nint[SlotCount];
    private readonly uint[] _sizes = MakeSizes();
    private Thread[] _workers = [];
    private Barrier? _barrier;
    private Action<int>? _work;
    private volatile bool _stop;

    [GlobalSetup]
    public void Setup()
    {
        _pool = PoolAlloc.Create(64 << 20);
        _cached = PoolAlloc.Create(64 << 20, PoolCaching.ThreadMagazines);
        _stop = false;
        _barrier = new Barrier(Threads + 1);
        _workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            _workers[t] = new Thread(() => WorkerLoop(id)) { IsBackground = true, Name = $"W5 worker {t}" };
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
        _pool.Delete();
        _cached.Delete();
    }

    // Each benchmark frees what is left in the slots after its last invocation (its own allocator's blocks).
    [IterationCleanup(Targets = [nameof(Glibc)])] public void DrainGlibc() => Drain(default(GlibcAlloc));
    [IterationCleanup(Targets = [nameof(Mimalloc)])] public void DrainMimalloc() => Drain(default(MiDefaultAlloc));
    [IterationCleanup(Targets = [nameof(Jemalloc)])] public void DrainJemalloc() => Drain(default(JeAlloc));
    [IterationCleanup(Targets = [nameof(Pool)])] public void DrainPool() => Drain(_pool);
    [IterationCleanup(Targets = [nameof(PoolCached)])] public void DrainPoolCached() => Drain(_cached);

    [Benchmark(OperationsPerInvoke = TotalOps)] public void Pool() => RunAll(id => Work(_pool, id));
    [Benchmark(OperationsPerInvoke = TotalOps)] public void PoolCached() => RunAll(id => Work(_cached, id));
    [Benchmark(OperationsPerInvoke = TotalOps, Baseline = true)] public void Glibc() => RunAll(id => Work(default(GlibcAlloc), id));
    [Benchmark(OperationsPerInvoke = TotalOps)] public void Mimalloc() => RunAll(id => Work(default(MiDefaultAlloc), id));
    [Benchmark(OperationsPerInvoke = TotalOps)] public void Jemalloc() => RunAll(id => Work(default(JeAlloc), id));

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

    private unsafe void Work<T>(T a, int id) where T : struct, IAlloc
    {
        int ops = TotalOps / Threads;
        nint[] slots = _slots;
        uint[] sizes = _sizes;
        int start = id * (SlotCount / 2);
        for (int i = 0; i < ops; i++)
        {
            nint p = a.Malloc(sizes[(i + start) & (SlotCount - 1)]);
            *(long*)p = i;
            nint q = Interlocked.Exchange(ref slots[(i + start) & (SlotCount - 1)], p);
            if (q != 0)
                a.Free(q);
        }
    }

    private void Drain<T>(T a) where T : struct, IAlloc
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i] != 0)
                a.Free(_slots[i]);
            _slots[i] = 0;
        }
    }

    private static uint[] MakeSizes()
    {
        var rng = new Random(5);
        var sizes = new uint[SlotCount];
        for (int i = 0; i < sizes.Length; i++)
            sizes[i] = (uint)rng.Next(16, 257);
        return sizes;
    }
}
