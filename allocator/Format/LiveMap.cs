using System.Numerics;
using System.Runtime.CompilerServices;

namespace AreaMalloc.Format;

/// <summary>
/// The live map of a pool: one bit per granule of its area, in 64-bit words.
/// Invariant: a bit is set exactly at the first granule of every block handed out and not freed (in a caching pool,
/// also of every block a magazine holds: such a block stays live), so free and realloc tell a live block from anything
/// else in O(1) without trusting the pointer. Written only under the pool's lock, with every magazine stopped; the
/// lock-free paths only read it (<see cref="IsSetNow"/>).
/// </summary>
internal readonly unsafe struct LiveMap
{
    private readonly ulong* _words;

    /// <summary>The live map whose first word is at <paramref name="words"/>.</summary>
    public LiveMap(ulong* words) => _words = words;

    /// <summary>Bytes of the live map of an area of <paramref name="areaSize"/> bytes.</summary>
    public static ulong BytesFor(ulong areaSize) => areaSize / Granules.Bytes / 8;

    /// <summary>Whether the bit of the granule at <paramref name="offset"/> is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(ulong offset)
    {
        ulong bit = BitOf(offset);
        return (_words[bit / 64] & Mask(bit)) != 0;
    }

    /// <summary><see cref="IsSet"/> with a volatile read, for the lock-free paths (only locked sections, which stop every magazine first, change the map).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSetNow(ulong offset)
    {
        ulong bit = BitOf(offset);
        return (Volatile.Read(ref _words[bit / 64]) & Mask(bit)) != 0;
    }

    /// <summary>Sets the bit of the granule at <paramref name="offset"/> (a block is handed out: its bit was clear).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(ulong offset)
    {
        ulong bit = BitOf(offset);
        // Stryker disable once Assignment : the bit is clear when set (docs/MUTATION.md#set-once)
        _words[bit / 64] |= Mask(bit);
    }

    /// <summary>Clears the bit of the granule at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(ulong offset)
    {
        ulong bit = BitOf(offset);
        _words[bit / 64] &= ~Mask(bit);
    }

    /// <summary>How many bits are set for the granules in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public long Count(ulong from, ulong to)
    {
        long count = 0;
        ulong bit = BitOf(from), endBit = BitOf(to);
        while (bit < endBit && (bit & 63) != 0)
            count += IsSet(OffsetOf(bit++)) ? 1 : 0;
        // Stryker disable once Equality : a last whole word left to the loop below counts the same bits (docs/MUTATION.md#equivalent-bound)
        for (; bit + 64 <= endBit; bit += 64)
            count += BitOperations.PopCount(_words[bit / 64]);
        while (bit < endBit)
            count += IsSet(OffsetOf(bit++)) ? 1 : 0;
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitOf(ulong offset)
    {
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        return offset >> Granules.Log2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong OffsetOf(ulong bit) => bit << Granules.Log2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(ulong bit) => 1UL << (int)(bit & 63);
}
