using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// Workload 5, private blocks: 1 or 2 threads on one pool (or one process allocator), each running malloc/write/free
/// pairs of 16 to 256 B on its own blocks; no block crosses threads and no table is shared. Workload 5 proper shares
/// blocks and a table between the threads, whose cache misses every allocator pays; here an allocator's scaling
/// shows only what its own shared state costs. 200,000 pairs per invocation are split evenly across the threads.
/// mimalloc runs on its thread-local default heaps (mi_malloc/mi_free).
/// </summary>
public class W5_PrivatePairs : ThreadedWorkload
{
    private protected override unsafe void Work<T>(T a, int id)
    {
        int ops = TotalOps / Threads;
        uint[] sizes = Sizes;
        int start = id * (SlotCount / 2);
        for (int i = 0; i < ops; i++)
        {
            nint p = a.Malloc(sizes[(i + start) & (SlotCount - 1)]);
            *(long*)p = i;
            a.Free(p);
        }
    }
}
