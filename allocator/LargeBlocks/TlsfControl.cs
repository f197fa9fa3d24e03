using System.Runtime.InteropServices;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// The large-block heap's control block, kept inside the pool header (so it moves with the area): the TLSF bitmaps
/// and free-list heads, and the heap's byte counters.
/// Invariants (checked by the heap's walk): bit fl of <see cref="FlBitmap"/> is set iff some list of first level fl is
/// non-empty; bit sl of SlBitmap[fl] iff list (fl, sl) is; every free block is on exactly the list
/// <see cref="TlsfMapping.MapInsert"/> names for its size; FreeBytes and UsedBytes are the sums of the free and used
/// blocks' sizes (headers included, slabs counted as used).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct TlsfControl
{
    /// <summary>Bit fl set iff some list of first level fl is non-empty.</summary>
    public uint FlBitmap;

    /// <summary>Bit sl of SlBitmap[fl] set iff list (fl, sl) is non-empty.</summary>
    public fixed uint SlBitmap[TlsfMapping.FlCount];

    /// <summary>Heads of the free lists, list (fl, sl) at fl * SlCount + sl (granule index of a free block's header, or 0).</summary>
    // Stryker disable once Arithmetic : a fixed buffer's length must be a constant (docs/MUTATION.md#fixed-buffer-length)
    public fixed uint FreeHeads[TlsfMapping.FlCount * TlsfMapping.SlCount];

    /// <summary>Bytes in free blocks, headers included.</summary>
    public ulong FreeBytes;

    /// <summary>Bytes in used blocks and slabs, headers included.</summary>
    public ulong UsedBytes;

    /// <summary>The highest <see cref="UsedBytes"/> has been: the pool's footprint high-water mark.</summary>
    public ulong PeakUsedBytes;

    /// <summary>Every byte at or above this offset has never been written since the area was mapped (so it is zero).</summary>
    public ulong DirtyHighWater;
}
