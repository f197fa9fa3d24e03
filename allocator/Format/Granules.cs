namespace AreaMalloc.Format;

/// <summary>
/// The unit of a pool's format, stated once. Everything in a pool's area is addressed by a byte offset from the
/// area's base; blocks, slab objects and headers start on 16-byte granules, and links between them are granule indices
/// (offset / 16) in 32 bits, so an area holds at most 2^36 bytes. Granule index 0 is the pool header itself, so 0
/// doubles as the null link everywhere.
/// </summary>
public static class Granules
{
    /// <summary>log2 of <see cref="Bytes"/>.</summary>
    public const int Log2 = 4;

    /// <summary>The granule: every block size, every block and object start is a multiple of it (16 bytes).</summary>
    public const int Bytes = 1 << Log2;

    /// <summary>The granule index of the granule at <paramref name="offset"/> (a multiple of <see cref="Bytes"/> below 2^36).</summary>
    public static uint IndexOf(ulong offset)
    {
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        return (uint)(offset >> Log2);
    }

    /// <summary>The byte offset of granule <paramref name="index"/>.</summary>
    public static ulong OffsetOf(uint index) => (ulong)index << Log2;

    /// <summary>True when <paramref name="offset"/> is the start of a granule.</summary>
    public static bool IsAligned(ulong offset) => (offset & (Bytes - 1)) == 0;

    /// <summary><paramref name="bytes"/> rounded up to a whole number of granules.</summary>
    public static ulong RoundUp(ulong bytes) => (bytes + (Bytes - 1)) & ~(ulong)(Bytes - 1);
}

/// <summary>
/// The boundary tag in front of every block of a pool's heap (large blocks, slabs and the sentinel) is one granule:
/// a block's payload starts <see cref="HeaderBytes"/> after its header. The tag's fields belong to the large-block heap;
/// the layers above need only its size.
/// </summary>
public static class BlockFormat
{
    /// <summary>Bytes of a block's boundary tag, in front of its payload (one granule, so payloads stay 16-byte aligned).</summary>
    public const int HeaderBytes = Granules.Bytes;

    /// <summary>The payload offset of the block whose header is at <paramref name="block"/>.</summary>
    public static ulong PayloadOf(ulong block) => block + HeaderBytes;

    /// <summary>The header offset of the block whose payload is at <paramref name="payload"/>.</summary>
    public static ulong HeaderOf(ulong payload) => payload - HeaderBytes;
}
