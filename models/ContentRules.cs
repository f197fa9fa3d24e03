using System.Globalization;

namespace AreaMalloc.Models;

/// <summary>
/// The expected-bytes logic: the fill pattern, regeneration of a block's bytes, and comparison.
/// </summary>
/// <remarks>
/// Protocol for the test driver, right after a non-NULL allocation of block <c>b</c>:
/// compare memory <c>[0, b.Contents.DefinedAtBirth)</c> with <see cref="ExpectedBytes(BlockRecord)"/>
/// (calloc zeros, realloc prefix), then write the expected bytes of
/// <c>[DefinedAtBirth, b.Requested)</c>. From then on, while <c>b</c> is live, all of
/// <c>[0, b.Requested)</c> must equal <see cref="ExpectedBytes(BlockRecord)"/>.
/// </remarks>
public static class ContentRules
{
    /// <summary>
    /// The fill pattern: byte <c>i</c> of a block with seed <c>s</c> is <c>(byte)(s * 31 + i * 7 + 1)</c>.
    /// Period 256 along <c>i</c> (7 is odd), different for neighbouring seeds, never constant.
    /// </summary>
    /// <param name="seed">The block id the pattern belongs to.</param>
    /// <param name="index">Offset into the block.</param>
    /// <returns>The pattern byte.</returns>
    public static byte PatternByte(int seed, ulong index) => unchecked((byte)((ulong)seed * 31 + index * 7 + 1));

    /// <summary>All expected bytes of a block, <c>Requested</c> long.</summary>
    /// <param name="block">The block.</param>
    /// <returns>A new array.</returns>
    public static byte[] ExpectedBytes(BlockRecord block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return ExpectedBytes(block.Contents);
    }

    /// <summary>All expected bytes of a contents description, <c>Length</c> long.</summary>
    /// <param name="contents">The description.</param>
    /// <returns>A new array.</returns>
    public static byte[] ExpectedBytes(BlockContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (contents.Length > (ulong)Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(contents), "block too large for one array; use CopyExpected");
        }

        var bytes = new byte[contents.Length];
        CopyExpected(contents, 0, bytes);
        return bytes;
    }

    /// <summary>
    /// Writes the expected bytes <c>[offset, offset + destination.Length)</c> into <paramref name="destination"/>.
    /// Cost: O(bytes + length of the prefix chain).
    /// </summary>
    /// <param name="contents">The description.</param>
    /// <param name="offset">First offset to produce.</param>
    /// <param name="destination">Where to write; its length is the count.</param>
    public static void CopyExpected(BlockContents contents, ulong offset, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ulong upTo = offset + (ulong)destination.Length;
        if (upTo < offset || upTo > contents.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "range past the end of the block");
        }

        // Walk the prefix chain from the newest description back: each one owns
        // [its PrefixLength, upTo) of what is still missing; what is below comes from its Prefix.
        BlockContents? current = contents;
        while (current is not null && upTo > offset)
        {
            ulong ownStart = Math.Max(Math.Min(current.PrefixLength, upTo), offset);
            FillOwn(current, ownStart, destination[(int)(ownStart - offset)..(int)(upTo - offset)]);

            upTo = ownStart;
            current = current.Prefix;
        }
    }

    /// <summary>
    /// Writes the own bytes of <paramref name="contents"/> for offsets <c>[start, start + span.Length)</c>.
    /// The pattern depends on the offset only modulo 256 (<see cref="PatternByte"/>), so one period is
    /// computed byte by byte and then doubled: O(bytes) in a few large copies instead of a byte loop.
    /// </summary>
    private static void FillOwn(BlockContents contents, ulong start, Span<byte> span)
    {
        if (contents.Fill == ContentFill.Zero)
        {
            span.Clear();
            return;
        }

        int period = Math.Min(span.Length, 256);
        for (int k = 0; k < period; k++)
        {
            span[k] = contents.OwnByte(start + (ulong)k);
        }

        // Doubling: [0, done) is a whole number of periods, so it continues itself at done.
        for (int done = period; done < span.Length; done *= 2)
        {
            span[..Math.Min(done, span.Length - done)].CopyTo(span[done..]);
        }
    }

    /// <summary>The one expected byte at <paramref name="index"/>.</summary>
    /// <param name="contents">The description.</param>
    /// <param name="index">Offset into the block, below <c>Length</c>.</param>
    /// <returns>The expected byte.</returns>
    public static byte ExpectedByte(BlockContents contents, ulong index)
    {
        Span<byte> one = stackalloc byte[1];
        CopyExpected(contents, index, one);
        return one[0];
    }

    /// <summary>The first offset where <paramref name="actual"/> (memory from offset 0) differs from the expectation, or null.</summary>
    /// <param name="block">The block.</param>
    /// <param name="actual">The bytes read from the block, at most <c>Requested</c> of them.</param>
    /// <returns>The first differing offset, or null when they agree.</returns>
    public static ulong? FindMismatch(BlockRecord block, ReadOnlySpan<byte> actual)
    {
        ArgumentNullException.ThrowIfNull(block);
        int length = (int)Math.Min((ulong)actual.Length, block.Requested);
        var expected = new byte[length];
        CopyExpected(block.Contents, 0, expected);
        int at = actual[..length].CommonPrefixLength(expected);
        return at == length ? null : (ulong)at;
    }

    /// <summary>Checks memory read from a live block against its expected bytes.</summary>
    /// <param name="block">The block.</param>
    /// <param name="actual">The bytes read from the block, from offset 0.</param>
    /// <returns>Allowed, or a violation naming the first wrong byte.</returns>
    public static Verdict CheckBytes(BlockRecord block, ReadOnlySpan<byte> actual)
    {
        ArgumentNullException.ThrowIfNull(block);
        ulong? at = FindMismatch(block, actual);
        if (at is not ulong i)
        {
            return Verdict.Allowed(string.Create(CultureInfo.InvariantCulture, $"contents of {block.Describe()} as expected"));
        }

        string why = i < block.Contents.PrefixLength ? "inside the prefix realloc must preserve"
            : block.Contents.Fill == ContentFill.Zero ? "calloc memory must be zero" : "the pattern the test wrote";
        byte want = ExpectedByte(block.Contents, i);
        return Verdict.Violation(string.Create(CultureInfo.InvariantCulture,
            $"{block.Describe()}: byte {i} is 0x{actual[(int)i]:x2}, expected 0x{want:x2} ({why})"));
    }
}
