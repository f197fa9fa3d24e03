namespace AreaMalloc.Models;

/// <summary>How the bytes of a block that were not inherited from a predecessor are defined.</summary>
public enum ContentFill
{
    /// <summary>The test writes <see cref="ContentRules.PatternByte"/> of the block's seed (malloc, realloc growth).</summary>
    Pattern,

    /// <summary>The allocator must hand them out as zero and the test leaves them so (calloc).</summary>
    Zero,
}

/// <summary>
/// The expected contents of a block, as a description from which every byte can be regenerated;
/// never the bytes themselves, so that cloning a model and keeping history stay cheap.
/// </summary>
/// <remarks>
/// Byte <c>i</c> (<c>0 &lt;= i &lt; Length</c>) is:
/// <list type="bullet">
/// <item><c>i &lt; PrefixLength</c>: byte <c>i</c> of <see cref="Prefix"/> (what realloc must preserve);</item>
/// <item>otherwise <see cref="ContentFill.Zero"/>: <c>0</c>;</item>
/// <item>otherwise <see cref="ContentFill.Pattern"/>: <c>ContentRules.PatternByte(Seed, i)</c>.</item>
/// </list>
/// Invariants: <c>Prefix is null</c> exactly when <c>PrefixLength == 0</c>;
/// <c>PrefixLength &lt;= Length</c> and <c>PrefixLength &lt;= Prefix.Length</c>;
/// a prefix never lies wholly inside its own predecessor's prefix (chains are shortcut on creation),
/// so shrinking reallocs do not lengthen the chain.
/// </remarks>
public sealed record BlockContents
{
    private BlockContents(ulong length, ContentFill fill, int seed, BlockContents? prefix, ulong prefixLength)
    {
        Length = length;
        Fill = fill;
        Seed = seed;
        Prefix = prefix;
        PrefixLength = prefixLength;
    }

    /// <summary>Number of defined bytes: the size the caller requested.</summary>
    public ulong Length { get; }

    /// <summary>How bytes at or past <see cref="PrefixLength"/> are defined.</summary>
    public ContentFill Fill { get; }

    /// <summary>Seed of the fill pattern: the id of the block these contents were born with.</summary>
    public int Seed { get; }

    /// <summary>The contents of the block realloc replaced, or null.</summary>
    public BlockContents? Prefix { get; }

    /// <summary>How many leading bytes come from <see cref="Prefix"/>: <c>min(old requested, new requested)</c>.</summary>
    public ulong PrefixLength { get; }

    /// <summary>
    /// How many leading bytes are already defined when the block is handed out, and so must be
    /// checked right away: all of them for calloc (zeros), the realloc prefix, none for malloc.
    /// The test writes the expected bytes in <c>[DefinedAtBirth, Length)</c> after that check.
    /// </summary>
    public ulong DefinedAtBirth => Fill == ContentFill.Zero ? Length : PrefixLength;

    /// <summary>Contents of a fresh malloc block: the pattern of <paramref name="seed"/> everywhere.</summary>
    /// <param name="seed">The new block's id.</param>
    /// <param name="length">Requested size.</param>
    /// <returns>The description.</returns>
    public static BlockContents ForMalloc(int seed, ulong length) => new(length, ContentFill.Pattern, seed, null, 0);

    /// <summary>Contents of a fresh calloc block: zero everywhere.</summary>
    /// <param name="seed">The new block's id.</param>
    /// <param name="length">Requested size (count * size).</param>
    /// <returns>The description.</returns>
    public static BlockContents ForCalloc(int seed, ulong length) => new(length, ContentFill.Zero, seed, null, 0);

    /// <summary>
    /// Contents of the block realloc returned: the first <c>min(old.Length, length)</c> bytes of
    /// <paramref name="old"/>, then the pattern of <paramref name="seed"/>.
    /// </summary>
    /// <param name="seed">The new block's id.</param>
    /// <param name="length">New requested size.</param>
    /// <param name="old">Contents of the block realloc released.</param>
    /// <returns>The description.</returns>
    public static BlockContents ForRealloc(int seed, ulong length, BlockContents old)
    {
        ArgumentNullException.ThrowIfNull(old);
        ulong kept = Math.Min(old.Length, length);
        BlockContents? source = kept == 0 ? null : old;
        // Shortcut: when the kept bytes all come from old's own prefix, inherit from that directly.
        while (source is not null && kept <= source.PrefixLength)
        {
            source = source.Prefix;
        }

        return new(length, ContentFill.Pattern, seed, source, source is null ? 0 : kept);
    }

    /// <summary>The byte this description defines at <paramref name="index"/> when it is not inherited.</summary>
    /// <param name="index">Offset into the block.</param>
    /// <returns>The own byte.</returns>
    internal byte OwnByte(ulong index) => Fill == ContentFill.Zero ? (byte)0 : ContentRules.PatternByte(Seed, index);
}
