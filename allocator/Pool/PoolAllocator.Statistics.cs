using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>Statistics and the integrity walker.</summary>
public sealed unsafe partial class PoolAllocator
{
    /// <summary>A snapshot of the pool's counters, taken under its lock (finding the largest free block may meet, and record, damage).</summary>
    /// <exception cref="ObjectDisposedException">The pool was deleted under <see cref="PoolBehavior.SafeDeletion"/>.</exception>
    public PoolStatistics GetStatistics()
    {
        using (_lock.Hold())
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            using QuiescedScope quiet = Quiesce();
            DrainMagazinesLocked();
            PoolHeader* h = H;
            var perClass = new int[SizeClasses.Count];
            for (int c = 0; c < perClass.Length; c++)
                perClass[c] = h->SlabsPerClass[c];
            return new PoolStatistics
            {
                AreaSize = _layout.AreaSize,
                HeapSize = _layout.HeapEnd - _layout.HeapStart,
                LiveBlocks = h->LiveBlocks,
                BytesInUse = h->BytesInUse,
                LargeFreeBytes = h->LargeFreeBytes,
                LargeUsedBytes = h->LargeUsedBytes,
                PeakLargeUsedBytes = h->PeakLargeUsedBytes,
                LargestFreeBlock = new LargeBlockHeap(_base, _guard).LargestFreePayload(),
                SlabCount = h->SlabCount,
                SpareSlabs = h->SpareSlabCount,
                SlabsPerClass = perClass,
                RefusedFrees = h->RefusedFrees,
                FailedAllocations = h->FailedAllocations,
                CorruptionsDetected = _guard.Corruptions,
                UseAfterFreeWrites = _guard.UseAfterFreeWrites,
                FirstDamage = _guard.FirstDamage,
            };
        }
    }

    /// <summary>Walks every block, list, slab and map of the pool and reports the first broken invariant, if any.</summary>
    /// <exception cref="ObjectDisposedException">The pool was deleted under <see cref="PoolBehavior.SafeDeletion"/>.</exception>
    public IntegrityReport CheckIntegrity()
    {
        using (_lock.Hold())
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            using QuiescedScope quiet = Quiesce();
            DrainMagazinesLocked();
            return new IntegrityWalker(_base, _layout, _guard).Walk();
        }
    }
}
