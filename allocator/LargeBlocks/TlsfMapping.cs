using System.Numerics;
using AreaMalloc.Format;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// The two-level segregated-fit arithmetic (TLSF, Masmano et al. 2004), explained once, here.
/// <para>
/// Block sizes are in bytes, multiples of <see cref="Granules.Bytes"/> (16). The first level splits sizes by
/// power of two; the second level splits each power-of-two range into <see cref="SlCount"/> (16) equal
/// slices. Sizes below <see cref="SmallBlock"/> (256) all live in first level 0, sliced linearly in 16-byte steps.
/// </para>
/// <para>
/// Insert: a free block of size s goes to list (fl, sl) = <see cref="MapInsert"/>(s), the list whose range
/// contains s. Search: a request for s is rounded up to the next list boundary first (<see cref="MapSearch"/>),
/// so every block in the first non-empty list at or above it is big enough: O(1) with two bit scans.
/// The price is that a request may skip a list holding a block that fits exactly (at most 1/16 of its size).
/// </para>
/// </summary>
public static class TlsfMapping
{
    /// <summary>log2 of the number of second-level lists per first-level class.</summary>
    public const int SlLog2 = 4;
    /// <summary>Second-level lists per first-level class.</summary>
    public const int SlCount = 1 << SlLog2;
    /// <summary>log2 of <see cref="SmallBlock"/>.</summary>
    public const int FlShift = SlLog2 + Granules.Log2;
    /// <summary>Sizes below this are mapped linearly into first level 0.</summary>
    public const int SmallBlock = 1 << FlShift;
    /// <summary>log2 of the first size too large for any list: blocks are below 2^36 bytes (64 GiB).</summary>
    public const int FlMaxLog2 = 36;
    /// <summary>First-level classes: level 0 for small sizes, then one per power of two from 256 B to 32 GiB.</summary>
    public const int FlCount = FlMaxLog2 - FlShift + 1;
    /// <summary>The largest block size the lists can hold.</summary>
    public const ulong MaxBlockSize = (1UL << FlMaxLog2) - Granules.Bytes;

    /// <summary>The list (fl, sl) that holds a free block of <paramref name="size"/> bytes.</summary>
    /// <param name="size">A block size: a multiple of 16, below 2^36.</param>
    public static (int Fl, int Sl) MapInsert(ulong size)
    {
        if (size < SmallBlock)
            // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
            return (0, (int)(size >> Granules.Log2));
        int log2 = BitOperations.Log2(size);
        int sl = (int)(size >> (log2 - SlLog2)) ^ SlCount;
        return (log2 - (FlShift - 1), sl);
    }

    /// <summary>The first list whose every block can hold <paramref name="size"/> bytes (the size rounded up to a list boundary).</summary>
    /// <param name="size">A block size: a multiple of 16, at most <see cref="MaxBlockSize"/>.</param>
    public static (int Fl, int Sl) MapSearch(ulong size)
    {
        // Stryker disable once Equality : 256 and 271 map to the same list (docs/MUTATION.md#equivalent-bound)
        if (size >= SmallBlock)
            size += (1UL << (BitOperations.Log2(size) - SlLog2)) - 1;
        return MapInsert(size);
    }

    /// <summary>The smallest block size that list (fl, sl) may hold.</summary>
    public static ulong ListLowerBound(int fl, int sl) =>
        fl == 0 ? (ulong)sl << Granules.Log2 : (1UL << (fl + FlShift - 1)) + ((ulong)sl << (fl + FlShift - 1 - SlLog2));
}
