using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// Workload 5: 1 or 2 threads allocating and freeing on one pool (or one process allocator), cross-thread frees
/// included. Each operation: malloc a small block (16 to 256 B), write to it, swap it into a slot of a shared
/// table of 4,096 slots (Interlocked.Exchange) and free whatever was there, which the other thread allocated about
/// half of the time. 200,000 operations per invocation are split evenly across the threads.
/// mimalloc runs on its thread-local default heaps (mi_malloc/mi_free): a first-class heap is single-threaded.
/// </summary>
public class W5_Threads : ThreadedWorkload
{
    private readonly nint[] _slots = new nint[SlotCount];

    // Each benchmark frees what is left in the slots after its last invocation (its own allocator's blocks).
    [IterationCleanup(Targets = [nameof(Glibc)])] public void DrainGlibc() => Drain(default(GlibcAlloc));
    [IterationCleanup(Targets = [nameof(Mimalloc)])] public void DrainMimalloc() => Drain(default(MiDefaultAlloc));
    [IterationCleanup(Targets = [nameof(Jemalloc)])] public void DrainJemalloc() => Drain(default(JeAlloc));
    [IterationCleanup(Targets = [nameof(Pool)])] public void DrainPool() => Drain(PoolLocked);
    [IterationCleanup(Targets = [nameof(PoolCached)])] public void DrainPoolCached() => Drain(PoolCachedAlloc);

    private protected override unsafe void Work<T>(T a, int id)
    {
        int ops = TotalOps / Threads;
        nint[] slots = _slots;
        uint[] sizes = Sizes;
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
}
