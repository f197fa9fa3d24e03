using System.Runtime.CompilerServices;
using AreaMalloc.Format;
using AreaMalloc.LargeBlocks;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Pool;

/// <summary>
/// Where the pieces of a pool sit in its area, as a pure function of the area's size:
/// <code>
/// 0                 the PoolHeader (counters, the heaps' control blocks)
/// PageMapOffset     one uint per page of the area (the slab owning that page's objects, or 0)
/// LiveMapOffset     one bit per 16-byte granule of the area (set at the start of each live block)
/// HeapStart         the first block; the heap runs to HeapEnd
/// HeapEnd           the sentinel's block header; HeapEnd + one header == area size
/// </code>
/// The maps cost 4 bytes per page plus 1 bit per 16 bytes: under 0.9% of the area.
/// </summary>
public readonly record struct PoolLayout(ulong AreaSize, ulong PageMapOffset, ulong LiveMapOffset, ulong HeapStart, ulong HeapEnd)
{
    internal const ulong Magic = 0x4152_4541_4D41_4C43; // "AREAMALC"

    /// <summary>The smallest area a pool accepts: its metadata plus room for one minimal block.</summary>
    public static ulong MinAreaSize { get; } = MinimumAreaSize();

    /// <summary>The largest area a pool accepts: granule indices are 32-bit, so 64 GiB less one page.</summary>
    public const ulong MaxAreaSize = (1UL << TlsfMapping.FlMaxLog2) - B_PAGE_SIZE;

    /// <summary>The largest single request an empty pool of this layout satisfies: the payload of its one free block.</summary>
    public ulong MaxSingleRequest => HeapEnd - HeapStart - BlockFormat.HeaderBytes;

    /// <summary>The layout of a pool in an area of <paramref name="areaSize"/> bytes, or null when no pool fits there.</summary>
    public static PoolLayout? For(ulong areaSize)
    {
        if (areaSize == 0 || areaSize % B_PAGE_SIZE != 0 || areaSize > MaxAreaSize)
            return null;
        ulong pageMap = Granules.RoundUp((ulong)Unsafe.SizeOf<PoolHeader>());
        ulong liveMap = Granules.RoundUp(pageMap + PageMap.BytesFor(areaSize));
        ulong heapStart = Granules.RoundUp(liveMap + LiveMap.BytesFor(areaSize));
        ulong heapEnd = areaSize - BlockFormat.HeaderBytes;
        if (heapEnd < heapStart + 2 * LargeBlockHeap.MinBlockSize)
            return null;
        return new PoolLayout(areaSize, pageMap, liveMap, heapStart, heapEnd);
    }

    private static ulong MinimumAreaSize()
    {
        for (ulong size = B_PAGE_SIZE; ; size += B_PAGE_SIZE)
            if (For(size) is not null)
                return size;
    }
}
