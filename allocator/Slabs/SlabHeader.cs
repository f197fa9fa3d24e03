using System.Runtime.InteropServices;

namespace AreaMalloc.Slabs;

/// <summary>
/// The header of a slab. A slab is one page-aligned large block of whole pages (<see cref="SizeClasses.SlabPages"/>, or
/// fewer when carved from a heap's last, shorter free run; the block header gives the count), laid out as
/// <code>[block header 16][slab header 48][objects ...][left over]</code>
/// so every page of the slab belongs to it alone: the page map finds the slab of any object, a block that
/// follows starts on a page boundary (its payload is never on a slab page), and consecutive slabs leave no gap.
/// Invariants: Live + (free-list length) + (Capacity - Bump) == Capacity; the slab is on its class's
/// partial list iff State == Partial, or State == Spare when the spare stayed on the list; a Full slab has Live == Capacity; a Spare slab has Live == 0.
/// Hardening: Magic is <see cref="MagicValue"/> xored with the pool's slab seal for this slab's position
/// (<see cref="Hardening.HeapKeys.SlabSeal"/>), checked before the slab is used, so an overflow into the header is
/// refused; each free object's first 4 bytes hold its free-list link, encoded with the object's offset
/// (<see cref="Hardening.HeapKeys.Encode"/>) and validated when popped.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SlabHeader
{
    public const uint MagicValue = 0x51AB_5EED;
    public const ushort Partial = 0, Full = 1, Spare = 2;
    /// <summary>Bytes in front of a slab's objects: the block's boundary tag, then this header (48 bytes).</summary>
    public const int PrefixSize = Format.BlockFormat.HeaderBytes + 48;
    /// <summary>Bytes at the start of a free object that hold its encoded free-list link (never poisoned).</summary>
    public const int LinkBytes = sizeof(uint);

    /// <summary><see cref="MagicValue"/> ^ the pool's seal for this slab; 0 once the slab is released.</summary>
    public uint Magic;
    public ushort SizeClass;
    public ushort State;
    public uint ObjectSize;
    public uint Capacity;
    /// <summary>Objects handed out and not yet freed.</summary>
    public uint Live;
    /// <summary>Granule index of the first object on the slab's free list, or 0 (stored plain: the keyed magic before it guards it).</summary>
    public uint FreeHead;
    /// <summary>Objects carved so far from the never-used tail (objects at index >= Bump have never been handed out).</summary>
    public uint Bump;
    /// <summary>Partial-list links: granule index of the neighbouring slab's block, or 0.</summary>
    public uint Next;
    public uint Prev;
    public uint Reserved0;
    public ulong Reserved1;
}
