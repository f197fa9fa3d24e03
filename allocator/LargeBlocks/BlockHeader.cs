using System.Runtime.InteropServices;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// The boundary tag in front of every block of the heap, 16 bytes so that payloads stay 16-byte aligned.
/// Invariants (checked by the integrity walker): Size is the whole block in granules, header included;
/// PrevSize is the size of the physically previous block (0 for the first); PrevFree mirrors the previous
/// block's Free flag; no two physically adjacent blocks are both free (free blocks are coalesced at once);
/// Check is the check word of the other three fields at this offset under the pool's key
/// (<see cref="Hardening.HeapKeys.CheckWord"/>): every write reseals it, and every header the allocator follows is
/// verified first. A free block's payload starts with its free-list links (<see cref="FreeLinks"/>).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BlockHeader
{
    public const uint Tag = 0xB10C_0000, TagMask = 0xFFFF_0000;
    public const uint FreeFlag = 1, PrevFreeFlag = 2, SlabFlag = 4, SentinelFlag = 8;

    /// <summary>Block size in granules (16 bytes), header included.</summary>
    public uint Size;
    /// <summary>Size in granules of the physically previous block.</summary>
    public uint PrevSize;
    /// <summary><see cref="Tag"/> in the high half, the flags in the low half.</summary>
    public uint Flags;
    /// <summary>The check word over Size, PrevSize, Flags and the header's own offset, keyed per pool.</summary>
    public uint Check;

    public readonly bool IsFree => (Flags & FreeFlag) != 0;
    public readonly bool IsPrevFree => (Flags & PrevFreeFlag) != 0;
    public readonly bool IsSlab => (Flags & SlabFlag) != 0;
    public readonly bool HasTag => (Flags & TagMask) == Tag;
}

/// <summary>
/// The doubly linked free-list links at the start of a free block's payload: granule indices (0 = none), stored
/// encoded with the pool's keys and the link's own offset (<see cref="Hardening.HeapKeys.Encode"/>), so an overwritten
/// or copied link decodes to garbage, which is refused before it is followed.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FreeLinks
{
    public uint Next;
    public uint Prev;
}
