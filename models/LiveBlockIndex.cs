namespace AreaMalloc.Models;

/// <summary>
/// Every live block of every pool, ordered by address, to answer "is this an existing block?"
/// and "does this new range overlap a live block?" in O(log n).
/// </summary>
/// <remarks>
/// Invariant: the live blocks are pairwise disjoint (each new block is checked before it enters).
/// Hence, for a candidate range <c>[start, start + length)</c>, the only live block that can overlap
/// it while starting below its end is the one with the greatest start <c>&lt;= start + length - 1</c>:
/// every block starting before that one also ends before that one starts. One floor lookup suffices.
/// Mutable; owned by one <see cref="AllocatorModel"/>.
/// </remarks>
public sealed class LiveBlockIndex
{
    private readonly SortedSet<ulong> starts;
    private readonly Dictionary<ulong, BlockRecord> byAddress;

    /// <summary>An empty index.</summary>
    internal LiveBlockIndex()
        : this(new SortedSet<ulong>(), new Dictionary<ulong, BlockRecord>())
    {
    }

    private LiveBlockIndex(SortedSet<ulong> starts, Dictionary<ulong, BlockRecord> byAddress)
    {
        this.starts = starts;
        this.byAddress = byAddress;
    }

    /// <summary>Number of live blocks over all pools.</summary>
    public int Count => byAddress.Count;

    /// <summary>The live block starting exactly at <paramref name="address"/>, or null. O(1).</summary>
    /// <param name="address">A pointer.</param>
    /// <returns>The block or null.</returns>
    public BlockRecord? At(ulong address) => byAddress.GetValueOrDefault(address);

    /// <summary>
    /// A live block overlapping <c>[start, start + length)</c>, other than <paramref name="except"/>
    /// (the block a realloc releases), or null. O(log n). A zero length is treated as one byte.
    /// </summary>
    /// <param name="start">First byte of the candidate.</param>
    /// <param name="length">Its length; the caller guarantees <c>start + length</c> does not overflow.</param>
    /// <param name="except">A block to ignore, or null.</param>
    /// <returns>An overlapping block, or null when the range is free.</returns>
    public BlockRecord? FindOverlap(ulong start, ulong length, BlockRecord? except)
    {
        ulong last = start + Math.Max(length, 1) - 1;
        BlockRecord? candidate = Floor(last);
        if (candidate is not null && except is not null && candidate.Address == except.Address)
        {
            candidate = except.Address == 0 ? null : Floor(except.Address - 1);
        }

        return candidate is not null && candidate.End > start ? candidate : null;
    }

    /// <summary>Adds a block; the caller has checked it overlaps nothing.</summary>
    /// <param name="block">The new live block.</param>
    internal void Add(BlockRecord block)
    {
        ArgumentNullException.ThrowIfNull(block);
        byAddress.Add(block.Address, block);
        starts.Add(block.Address);
    }

    /// <summary>Removes a live block.</summary>
    /// <param name="block">The block.</param>
    internal void Remove(BlockRecord block)
    {
        ArgumentNullException.ThrowIfNull(block);
        byAddress.Remove(block.Address);
        starts.Remove(block.Address);
    }

    /// <summary>A deep copy (blocks are immutable and shared). O(n).</summary>
    /// <returns>The copy.</returns>
    internal LiveBlockIndex Clone() => new(new SortedSet<ulong>(starts), new Dictionary<ulong, BlockRecord>(byAddress));

    /// <summary>The live block with the greatest start <c>&lt;= address</c>, or null.</summary>
    private BlockRecord? Floor(ulong address)
    {
        if (starts.Count == 0 || starts.Min > address)
        {
            return null;
        }

        // GetViewBetween(..).Max walks the tree within the bounds: O(log n) on .NET Core.
        return byAddress[starts.GetViewBetween(ulong.MinValue, address).Max];
    }
}
