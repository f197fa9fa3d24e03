using AreaMalloc.Format;
using AreaMalloc.Hardening;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>
/// Checks every metadata invariant of a pool and names the first that is broken, by composing the heaps' own walks:
/// the header agrees with the layout; the large-block heap's walk (tiling, boundary tags, check words, free blocks and
/// their poison, free lists and bitmaps: <see cref="LargeBlockHeap.WalkBlocks{TInspector}"/>); every used block is
/// marked live exactly at its payload and lies on no slab page; the slab heap's walk of each slab and of its lists
/// (<see cref="SlabHeap.CheckSlab"/>, <see cref="SlabHeap.CheckLists"/>); and the totals: the pool's and the heaps'
/// counters equal what the walk counted, the live map marks exactly the live blocks, the page map exactly the slabs'
/// pages. Violations name the damaged block (or the block holding the bad link) and its offset. Runs under the pool's
/// lock with the cache drained; reads only (it reports; it does not record damage).
/// </summary>
internal readonly unsafe ref struct IntegrityWalker
{
    private readonly byte* _base;
    private readonly PoolLayout _layout;
    private readonly LiveMap _liveMap;
    private readonly PageMap _pageMap;
    private readonly LargeBlockHeap _large;
    private readonly SlabHeap _slabs;

    public IntegrityWalker(byte* areaBase, PoolLayout layout, LiveMap liveMap, PageMap pageMap, LargeBlockHeap large, SlabHeap slabs)
    {
        _base = areaBase;
        _layout = layout;
        _liveMap = liveMap;
        _pageMap = pageMap;
        _large = large;
        _slabs = slabs;
    }

    private PoolHeader* H => (PoolHeader*)_base;

    /// <summary>Runs every check; the report names the first violation.</summary>
    public IntegrityReport Walk()
    {
        var heap = new HeapTally();
        var blocks = new UsedBlocks(_liveMap, _pageMap, _slabs);
        string? violation = CheckHeader()
            ?? _large.WalkBlocks(_liveMap, ref heap, ref blocks)
            ?? _large.CheckFreeLists(heap.FreeBlocks, ref heap.At)
            ?? _slabs.CheckLists(ref blocks.Slabs, ref heap.At)
            ?? CheckTotals(heap, blocks);
        return new IntegrityReport(violation, violation is null ? null : heap.At, heap.Blocks, heap.FreeBlocks, blocks.Slabs.Slabs,
            violation is null ? Recount(heap, blocks) : null);
    }

    /// <summary>The statistics as the walk counted them, block by block (the counters are compared with them in tests).</summary>
    private static unsafe PoolRecount Recount(HeapTally heap, UsedBlocks blocks)
    {
        var perClass = new int[SizeClasses.Count];
        for (int c = 0; c < perClass.Length; c++)
            perClass[c] = blocks.Slabs.PerClass[c];
        return new PoolRecount(
            LiveBlocks: blocks.LiveBlocks + blocks.Slabs.LiveObjects,
            BytesInUse: blocks.BytesInUse + blocks.Slabs.LiveBytes,
            LargeFreeBytes: heap.FreeBytes,
            LargeUsedBytes: heap.UsedBytes,
            LargestFreeBlock: heap.LargestFree == 0 ? 0 : heap.LargestFree - BlockFormat.HeaderBytes,
            SlabCount: blocks.Slabs.Slabs,
            SpareSlabs: blocks.Slabs.Spares,
            SlabsPerClass: perClass);
    }

    private string? CheckHeader()
    {
        PoolHeader* h = H;
        if (h->Magic != PoolLayout.Magic)
            return "pool header magic is wrong";
        if (h->AreaSize != _layout.AreaSize || h->HeapStart != _layout.HeapStart || h->HeapEnd != _layout.HeapEnd
            || h->PageMapOffset != _layout.PageMapOffset || h->LiveMapOffset != _layout.LiveMapOffset)
            return "pool header disagrees with the layout of its area";
        return null;
    }

    private string? CheckTotals(HeapTally heap, UsedBlocks blocks)
    {
        PoolHeader* h = H;
        long liveBlocks = blocks.LiveBlocks + blocks.Slabs.LiveObjects;
        ulong bytesInUse = blocks.BytesInUse + blocks.Slabs.LiveBytes;
        if (h->LiveBlocks != liveBlocks || h->BytesInUse != bytesInUse)
            return $"statistics say {h->LiveBlocks} live blocks / {h->BytesInUse} bytes, the heap has {liveBlocks} / {bytesInUse}";
        if (_large.FreeBytes != heap.FreeBytes || _large.UsedBytes != heap.UsedBytes)
            return $"statistics say {_large.FreeBytes} free / {_large.UsedBytes} used bytes, the heap has {heap.FreeBytes} / {heap.UsedBytes}";
        if (_slabs.SlabCount != blocks.Slabs.Slabs || _slabs.SpareSlabCount != blocks.Slabs.Spares)
            return $"statistics say {_slabs.SlabCount} slabs ({_slabs.SpareSlabCount} spare), the heap has {blocks.Slabs.Slabs} ({blocks.Slabs.Spares})";
        if (_liveMap.Count(0, _layout.AreaSize) != liveBlocks)
            return "the live map marks something that is not a live block";
        return _pageMap.CountAssigned(0, _layout.AreaSize) != blocks.Slabs.Pages ? "the page map gives pages to slabs that do not exist" : null;
    }

    /// <summary>The pool's checks of the used blocks the large-block heap's walk meets, and their counts.</summary>
    private struct UsedBlocks(LiveMap liveMap, PageMap pageMap, SlabHeap slabs) : IUsedBlockInspector
    {
        /// <summary>Large blocks handed out, and their usable bytes.</summary>
        public long LiveBlocks;
        public ulong BytesInUse;

        /// <summary>What the slab heap's walk counted.</summary>
        public SlabTally Slabs;

        public string? Used(ulong block, ulong size, ref ulong at)
        {
            LiveBlocks++;
            BytesInUse += size - BlockFormat.HeaderBytes;
            if (!liveMap.IsSet(BlockFormat.PayloadOf(block)) || liveMap.Count(block, block + size) != 1)
                return $"used block at 0x{block:x} is not marked live exactly at its payload";
            return pageMap.CountAssigned(block, block + size) != 0 ? $"used block at 0x{block:x} lies on a page the page map gives to a slab" : null;
        }

        public string? Slab(ulong block, ulong size, ref ulong at) => slabs.CheckSlab(block, size, ref Slabs, ref at);
    }
}
