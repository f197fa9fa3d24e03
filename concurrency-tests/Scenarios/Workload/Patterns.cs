using Microsoft.Coyote.Rewriting;

namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>
/// Byte patterns that tie every byte of a block to the block's id, so overlap and corruption show. The pattern of
/// block <c>id</c> is a window of a fixed pseudo-random table starting at an offset derived from the id, so filling
/// and checking are span copies and comparisons (vectorized, and free of Coyote's per-call rewriting cost).
/// </summary>
[SkipRewriting("Pure byte loops with no concurrency: rewriting would add a Coyote call per call and per byte.")]
public static unsafe class Patterns
{
    /// <summary>The largest block a pattern covers.</summary>
    public const int MaxSize = 1 << 15;

    private const int WindowStarts = 1 << 15;
    private static readonly byte[] s_table = BuildTable();

    /// <summary>Fills the first <paramref name="size"/> bytes at <paramref name="address"/> with the pattern of <paramref name="id"/>.</summary>
    public static void Fill(nint address, nuint size, int id) =>
        Window(id, size).CopyTo(new Span<byte>((void*)address, (int)size));

    /// <summary>The index of the first of <paramref name="size"/> bytes that lost the pattern of <paramref name="id"/>, or -1.</summary>
    public static long FirstDamage(nint address, nuint size, int id)
    {
        int same = new ReadOnlySpan<byte>((void*)address, (int)size).CommonPrefixLength(Window(id, size));
        return same == (int)size ? -1 : same;
    }

    /// <summary>The index of the first non-zero byte of <paramref name="size"/> bytes, or -1.</summary>
    public static long FirstNonZero(nint address, nuint size) =>
        new ReadOnlySpan<byte>((void*)address, checked((int)size)).IndexOfAnyExcept((byte)0);

    private static ReadOnlySpan<byte> Window(int id, nuint size)
    {
        if (size > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"patterns cover blocks of at most {MaxSize} bytes");
        int start = (int)(((uint)id * 0x9E3779B1u) >> 17) & (WindowStarts - 1);
        return s_table.AsSpan(start, (int)size);
    }

    private static byte[] BuildTable()
    {
        var table = new byte[WindowStarts + MaxSize];
        uint x = 0x2545F491;
        for (int i = 0; i < table.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            table[i] = (byte)x;
        }
        return table;
    }
}
