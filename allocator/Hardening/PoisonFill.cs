namespace AreaMalloc.Hardening;

/// <summary>
/// The poison pattern of the pool hardening <c>PoisonFreedMemory</c>: freed bytes are filled with
/// <see cref="Byte"/> (as Haiku's paranoid kernel heap fills freed memory with 0xdeadbeef) and checked when the bytes
/// are handed out again; a byte that changed in between was written through a dangling pointer.
/// </summary>
internal static unsafe class PoisonFill
{
    /// <summary>The poison byte (the first byte of 0xDEADBEEF).</summary>
    public const byte Byte = 0xDE;

    /// <summary>Largest span handed to the vectorized search at once.</summary>
    private const ulong Chunk = 1 << 30;

    /// <summary>Fills <paramref name="length"/> bytes at <paramref name="start"/> with the poison byte.</summary>
    public static void Fill(byte* start, ulong length) => System.Runtime.InteropServices.NativeMemory.Fill(start, (nuint)length, Byte);

    /// <summary>The index of the first byte of [start, start + length) that is not the poison byte, or -1 when all are.</summary>
    public static long FirstBreak(byte* start, ulong length) => FirstBreak(start, length, Chunk);

    /// <summary>
    /// For a walk of the heap: null when the bytes [<paramref name="from"/>, <paramref name="to"/>) of the area at
    /// <paramref name="areaBase"/>, clipped at <paramref name="dirtyHighWater"/> (above it nothing was ever written),
    /// hold the poison; else the first changed byte, described.
    /// </summary>
    public static string? BreakIn(byte* areaBase, ulong from, ulong to, ulong dirtyHighWater)
    {
        to = Math.Min(to, dirtyHighWater);
        long at = from < to ? FirstBreak(areaBase + from, to - from) : -1;
        return at < 0 ? null : $"the byte at 0x{from + (ulong)at:x} is 0x{areaBase[from + (ulong)at]:x2}, not the poison 0x{Byte:x2}";
    }

    /// <summary><see cref="FirstBreak(byte*, ulong)"/> searching <paramref name="chunk"/> bytes at a time (a span holds at most 2^31 - 1; tests use small chunks).</summary>
    internal static long FirstBreak(byte* start, ulong length, ulong chunk)
    {
        // Stryker disable once Equality : a last pass over an empty span finds nothing (docs/MUTATION.md#empty-range)
        for (ulong done = 0; done < length; done += chunk)
        {
            int at = new ReadOnlySpan<byte>(start + done, (int)Math.Min(chunk, length - done)).IndexOfAnyExcept(Byte);
            if (at >= 0)
                return (long)done + at;
        }
        return -1;
    }
}
