using AreaMalloc.Caching;
using AreaMalloc.Format;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>Statistics, the integrity walker, and the hooks the tests reach the cache through.</summary>
internal sealed unsafe partial class PoolCore<TCache>
{
    /// <inheritdoc />
    public override PoolStatistics GetStatistics()
    {
        using (_lock.Hold())
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            using QuiescedScope quiet = Quiesce();
            _cache.Drain(this);
            PoolHeader* h = Header;
            var perClass = new int[SizeClasses.Count];
            for (int c = 0; c < perClass.Length; c++)
                perClass[c] = _slabs.SlabsOfClass(c);
            return new PoolStatistics
            {
                AreaSize = _layout.AreaSize,
                HeapSize = _layout.HeapEnd - _layout.HeapStart,
                LiveBlocks = h->LiveBlocks,
                BytesInUse = h->BytesInUse,
                LargeFreeBytes = _large.FreeBytes,
                LargeUsedBytes = _large.UsedBytes,
                PeakLargeUsedBytes = _large.PeakUsedBytes,
                LargestFreeBlock = _large.LargestFreePayload(),
                SlabCount = _slabs.SlabCount,
                SpareSlabs = _slabs.SpareSlabCount,
                SlabsPerClass = perClass,
                RefusedFrees = h->RefusedFrees,
                FailedAllocations = h->FailedAllocations,
                CorruptionsDetected = _guard.Corruptions,
                UseAfterFreeWrites = _guard.UseAfterFreeWrites,
                FirstDamage = _guard.FirstDamage,
            };
        }
    }

    /// <inheritdoc />
    public override IntegrityReport CheckIntegrity() => WalkAt(_base);

    /// <inheritdoc />
    internal override IntegrityReport WalkAt(byte* areaBase)
    {
        using (_lock.Hold())
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            using QuiescedScope quiet = Quiesce();
            _cache.Drain(this);
            // The heaps and maps as seen from areaBase: the same offsets, the same keys (the guard), another mapping.
            var liveMap = new LiveMap((ulong*)(areaBase + _layout.LiveMapOffset));
            var pageMap = new PageMap((uint*)(areaBase + _layout.PageMapOffset));
            var header = (PoolHeader*)areaBase;
            var large = new LargeBlockHeap(areaBase, &header->Large, _guard);
            var slabs = new SlabHeap(areaBase, &header->Slabs, pageMap, liveMap, large, _guard);
            return new IntegrityWalker(areaBase, _layout, liveMap, pageMap, large, slabs).Walk();
        }
    }

    internal override ulong CacheMark => _cache.Mark;

    internal override int CachedBlocks
    {
        get
        {
            using (_lock.Hold())
            {
                using QuiescedScope quiet = Quiesce();
                return _cache.Count;
            }
        }
    }

    internal override ThreadMagazine? CurrentThreadMagazine
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        get => _cache.MagazineAt(StackWindows.CurrentStackAddress());
    }

    internal override void BindWindow(nuint stack, ThreadMagazine magazine)
    {
        using (_lock.Hold())
            _cache.Bind(stack, magazine);
    }
}
