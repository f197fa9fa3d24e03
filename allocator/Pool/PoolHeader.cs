using System.Runtime.InteropServices;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>
/// The pool's control block, at offset 0 of its area. Together with the page map and the live map that
/// follow it, this is all of the pool's metadata: everything is addressed by byte offsets (or 16-byte
/// granule indices) from the area's base, so the pool means the same wherever the area is mapped.
/// <code>
/// area: [PoolHeader][page map: uint per page][live map: bit per granule][heap: blocks ... ][sentinel]
/// </code>
/// Granule index 0 is the header itself, so 0 doubles as the null link everywhere.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PoolHeader
{
    /// <summary><see cref="PoolLayout.Magic"/> while the pool is alive.</summary>
    public ulong Magic;
    public ulong AreaSize;
    /// <summary>Offset of the page map: one uint per page, the granule index of the slab block owning that page's objects, or 0.</summary>
    public ulong PageMapOffset;
    /// <summary>Offset of the live map: one bit per granule, set exactly at the first byte of every live block.</summary>
    public ulong LiveMapOffset;
    /// <summary>Offset of the first block header.</summary>
    public ulong HeapStart;
    /// <summary>Offset of the sentinel header that ends the heap (16 bytes before the area's end).</summary>
    public ulong HeapEnd;
    /// <summary>Every byte at or above this offset has never been written since the area was mapped (so it is zero).</summary>
    public ulong DirtyHighWater;

    // Statistics. Invariant: they agree with a walk of the heap (IntegrityWalker checks it).
    public long LiveBlocks;
    public ulong BytesInUse;
    public ulong LargeFreeBytes;
    public ulong LargeUsedBytes;
    public ulong PeakLargeUsedBytes;
    public long RefusedFrees;
    public long FailedAllocations;
    public int SlabCount;
    public int SpareSlabCount;

    /// <summary>Bit fl set iff some list of first level fl is non-empty.</summary>
    public uint FlBitmap;
    /// <summary>Bit sl of SlBitmap[fl] set iff list (fl, sl) is non-empty.</summary>
    public fixed uint SlBitmap[TlsfMapping.FlCount];
    /// <summary>Heads of the free lists (granule index of a free block's header, or 0).</summary>
    // Stryker disable once Arithmetic : a fixed buffer's length must be a compile-time constant, so Stryker's mutant of it cannot compile (and one mutant that does not compile costs the whole file its mutants in Stryker's safe mode)
    public fixed uint FreeHeads[TlsfMapping.FlCount * TlsfMapping.SlCount];
    /// <summary>Per class: head of the list of slabs that have a free object (granule index of the slab block, or 0).</summary>
    public fixed uint PartialSlabs[SizeClasses.Count];
    /// <summary>Per class: one empty slab kept for reuse (or 0), so a malloc/free pair does not build and tear down a slab. It stays on its partial list.</summary>
    public fixed uint SpareSlabs[SizeClasses.Count];
    /// <summary>Per class: slabs that exist (partial, full and spare).</summary>
    public fixed int SlabsPerClass[SizeClasses.Count];
}
