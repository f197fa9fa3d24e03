using System.Runtime.InteropServices;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>
/// The pool's control block, at offset 0 of its area: where the maps are, the pool's own counters, and the two heaps'
/// control blocks. Together with the page map and the live map that follow it, this is all of the pool's metadata:
/// everything is addressed by byte offsets (or granule indices) from the area's base, so the pool means the same
/// wherever the area is mapped.
/// <code>
/// area: [PoolHeader][page map: uint per page][live map: bit per granule][heap: blocks ... ][sentinel]
/// </code>
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PoolHeader
{
    /// <summary><see cref="PoolLayout.Magic"/> while the pool is alive.</summary>
    public ulong Magic;
    public ulong AreaSize;
    /// <summary>Offset of the page map (<see cref="Format.PageMap"/>).</summary>
    public ulong PageMapOffset;
    /// <summary>Offset of the live map (<see cref="Format.LiveMap"/>).</summary>
    public ulong LiveMapOffset;
    /// <summary>Offset of the first block header.</summary>
    public ulong HeapStart;
    /// <summary>Offset of the sentinel header that ends the heap (one block header before the area's end).</summary>
    public ulong HeapEnd;

    // The pool's counters. Invariant: LiveBlocks and BytesInUse agree with a walk of the heap (IntegrityWalker checks it).

    /// <summary>Blocks handed out and not freed (in a caching pool, cached blocks too).</summary>
    public long LiveBlocks;
    /// <summary>Sum of the usable sizes of those blocks.</summary>
    public ulong BytesInUse;
    /// <summary>free/realloc calls refused.</summary>
    public long RefusedFrees;
    /// <summary>malloc/calloc/realloc calls that returned NULL.</summary>
    public long FailedAllocations;

    /// <summary>The large-block heap's control block.</summary>
    public TlsfControl Large;
    /// <summary>The slab heap's control block.</summary>
    public SlabDirectory Slabs;
}
