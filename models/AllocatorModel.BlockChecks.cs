namespace AreaMalloc.Models;

/// <summary>malloc, calloc, realloc, free.</summary>
public sealed partial class AllocatorModel
{
    /// <summary>malloc: NULL on a non-live pool; else a valid new block, or NULL when out of memory.</summary>
    private Verdict CheckMalloc(ApiCall c, Observation o)
    {
        string label = Label(c);
        PoolState? pool = LivePool(c.Pool);
        return pool is null
            ? ExpectNull(label, o, "the pool is not live")
            : Allocate(label, pool, c.Size, o, AllocationKind.Malloc, null, id => BlockContents.ForMalloc(id, c.Size));
    }

    /// <summary>calloc: NULL when count * size overflows 64 bits; else as malloc(count * size), zero-filled.</summary>
    private Verdict CheckCalloc(ApiCall c, Observation o)
    {
        string label = Label(c);
        PoolState? pool = LivePool(c.Pool);
        if (pool is null)
        {
            return ExpectNull(label, o, "the pool is not live");
        }

        if (c.Count != 0 && c.Size > ulong.MaxValue / c.Count)
        {
            Verdict overflow = ExpectNull(label, o, Invariant($"{c.Count} * {c.Size} overflows 64 bits"));
            if (overflow.IsAllowed)
            {
                pool.CountFailure();
            }

            return overflow;
        }

        ulong total = c.Count * c.Size;
        return Allocate(label, pool, total, o, AllocationKind.Calloc, null, id => BlockContents.ForCalloc(id, total));
    }

    /// <summary>
    /// realloc: NULL pointer = malloc; a pointer that is not a live block of this pool is refused
    /// (NULL, RefusedFrees + 1); size 0 frees and must return NULL; otherwise NULL (old block intact)
    /// or a valid block (same or new address) that replaces the old one and keeps its prefix.
    /// </summary>
    private Verdict CheckRealloc(ApiCall c, Observation o)
    {
        string label = Label(c);
        PoolState? pool = LivePool(c.Pool);
        if (pool is null)
        {
            return ExpectNull(label, o, "the pool is not live");
        }

        if (c.Address == 0)
        {
            return Allocate(label, pool, c.Size, o, AllocationKind.Realloc, null, id => BlockContents.ForMalloc(id, c.Size));
        }

        BlockRecord? old = pool.LiveBlocks.GetValueOrDefault(c.Address);
        if (old is null)
        {
            Verdict refused = ExpectNull(label, o, "the pointer is refused: " + WhyNotLive(c.Address, pool));
            if (refused.IsAllowed)
            {
                pool.CountRefusal();
            }

            return refused;
        }

        if (c.Size == 0)
        {
            Verdict freed = ExpectNull(label, o, Invariant($"realloc to 0 frees {old.Describe()}"));
            if (freed.IsAllowed)
            {
                Release(pool, old);
            }

            return freed;
        }

        return Allocate(label, pool, c.Size, o, AllocationKind.Realloc, old, id => BlockContents.ForRealloc(id, c.Size, old.Contents));
    }

    /// <summary>free: nothing for a non-live pool or NULL; a live block of this pool is released; else refused.</summary>
    private Verdict CheckFree(ApiCall c)
    {
        string label = Label(c);
        PoolState? pool = LivePool(c.Pool);
        if (pool is null || c.Address == 0)
        {
            return Verdict.Allowed(label + (pool is null ? " -> nothing (the pool is not live)" : " -> nothing"));
        }

        if (pool.LiveBlocks.GetValueOrDefault(c.Address) is BlockRecord block)
        {
            Release(pool, block);
            return Verdict.Allowed(Invariant($"{label} -> released {block.Describe()}"));
        }

        pool.CountRefusal();
        return Verdict.Allowed(Invariant($"{label} -> refused ({WhyNotLive(c.Address, pool)}), {pool} RefusedFrees {pool.RefusedFrees}"));
    }

    /// <summary>
    /// The common law of a returned block. NULL: required above capacity; forbidden when the pool
    /// has no live block and n &lt;= MaxSingleRequest; otherwise allowed (out of memory; a realloc's
    /// old block stays live). Non-NULL: see <see cref="WrongBlock"/>; then <paramref name="replaced"/>
    /// leaves and the new block enters.
    /// </summary>
    private Verdict Allocate(string label, PoolState pool, ulong n, Observation o, AllocationKind kind, BlockRecord? replaced, Func<int, BlockContents> contents)
    {
        PoolGeometry g = pool.Geometry;
        if (o.Address == 0)
        {
            pool.CountFailure(); // counted whatever the verdict: a violation ends the sequence anyway
            if (n > g.Capacity)
            {
                return Verdict.Allowed(Invariant($"{label} -> NULL (above the capacity {g.Capacity} of {pool})"));
            }

            return pool.LiveBlocks.Count == 0 && n <= g.MaxSingleRequest
                ? Verdict.Violation(Invariant($"{label} returned NULL; expected a block: {pool} has no live blocks and {n} <= its MaxSingleRequest {g.MaxSingleRequest}"))
                : Verdict.Allowed(Invariant($"{label} -> NULL (out of memory{(replaced is null ? "" : "; old block intact")})"));
        }

        string? wrong = WrongBlock(pool, n, o, replaced);
        if (wrong is not null)
        {
            return Verdict.Violation(Invariant($"{label} returned 0x{o.Address:x} (usable {o.Usable}) {wrong}"));
        }

        if (replaced is not null)
        {
            Release(pool, replaced);
        }

        int id = history.Count + 1;
        var block = new BlockRecord(id, pool.Number, o.Address, n, o.Usable, kind, Steps + 1, contents(id));
        history.Add(block);
        pool.Add(block);
        index.Add(block);
        string how = replaced is null ? "" : replaced.Address == o.Address ? " in place" : " moved";
        return Verdict.Allowed(Invariant($"{label} -> {block.Describe()}{how}")) with { NewBlock = block };
    }

    /// <summary>
    /// What is wrong with a non-NULL result, or null: it must not exceed the capacity, must be 16-byte
    /// aligned, usable &gt;= max(n, 1), inside the pool's area, and disjoint from every live block of
    /// every pool except the block a realloc releases. O(log n).
    /// </summary>
    private string? WrongBlock(PoolState pool, ulong n, Observation o, BlockRecord? replaced)
    {
        PoolGeometry g = pool.Geometry;
        if (n > g.Capacity)
        {
            return Invariant($"but a request above the capacity {g.Capacity} of {pool} must return NULL");
        }

        if (o.Address % BeConstants.BlockAlignment != 0)
        {
            return Invariant($"which is not {BeConstants.BlockAlignment}-byte aligned");
        }

        if (o.Usable < Math.Max(n, 1))
        {
            return Invariant($"but the usable size must be at least {Math.Max(n, 1)}");
        }

        if (!g.Contains(o.Address, o.Usable))
        {
            return Invariant($"which is outside the area of {pool} [0x{g.Base:x}, 0x{g.Base + g.Size:x})");
        }

        BlockRecord? other = index.FindOverlap(o.Address, o.Usable, replaced);
        return other is null ? null : "which overlaps live " + other.Describe();
    }

    /// <summary>NULL is required: a non-NULL result is a violation, NULL changes nothing.</summary>
    private static Verdict ExpectNull(string label, Observation o, string reason) => o.Address == 0
        ? Verdict.Allowed(Invariant($"{label} -> NULL ({reason})"))
        : Verdict.Violation(Invariant($"{label} returned 0x{o.Address:x}; expected NULL because {reason}"));

    /// <summary>Removes a live block of <paramref name="pool"/> from the pool and the index.</summary>
    private void Release(PoolState pool, BlockRecord block)
    {
        pool.Remove(block);
        index.Remove(block);
    }

    /// <summary>Why an address is not a live block of <paramref name="pool"/>, for messages.</summary>
    private string WhyNotLive(ulong address, PoolState pool)
    {
        if (index.At(address) is BlockRecord other)
        {
            return Invariant($"it is live block #{other.Id} of pool#{other.PoolNumber}, not of {pool}");
        }

        if (index.FindOverlap(address, 1, null) is BlockRecord inner)
        {
            return Invariant($"it points inside {inner.Describe()}");
        }

        BlockRecord? gone = history.LastOrDefault(b => b.Address == address);
        return gone is not null ? Invariant($"block #{gone.Id} at that address is no longer live") : "the allocator never returned it";
    }
}
