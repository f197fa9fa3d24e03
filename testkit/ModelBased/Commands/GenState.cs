using System.Collections.Immutable;
using System.Globalization;
using AreaMalloc.Pool;

namespace AreaMalloc.TestKit.ModelBased.Commands;

/// <summary>A pool as the generator sees it: its symbol (<c>p1</c>, <c>p2</c>...), size and whether it is still live.</summary>
/// <param name="Sym">Symbol number, unique within a sequence.</param>
/// <param name="Size">Area size asked for.</param>
/// <param name="MaxSingleRequest">The layout's guarantee for that size (what "huge" requests aim at).</param>
/// <param name="Live">False once deleted.</param>
public sealed record GenPool(int Sym, ulong Size, ulong MaxSingleRequest, bool Live);

/// <summary>A block as the generator sees it: its symbol (<c>b1</c>...), its pool, its requested size, whether live.</summary>
/// <param name="Sym">Symbol number, unique within a sequence.</param>
/// <param name="Pool">The pool symbol it came from.</param>
/// <param name="Requested">Bytes asked for.</param>
/// <param name="Live">False once freed, released by realloc, or its pool deleted.</param>
public sealed record GenBlock(int Sym, int Pool, ulong Requested, bool Live);

/// <summary>
/// The generation-time model FsCheck's state machine threads through <c>Next</c>, <c>Pre</c> and <c>Run</c>:
/// which symbols exist and which are live, assuming every allocation succeeds. It only chooses commands and
/// checks they still make sense after shrinking; it never judges the allocator (the reference model in
/// <c>models/</c> does, on the concrete calls). When a real allocation returns NULL the driver leaves that
/// symbol unbound and skips the commands that name it. Immutable, so FsCheck can keep one per step.
/// </summary>
/// <param name="ModuleUsers">get_module calls not yet matched by put_module.</param>
/// <param name="Pools">Every pool symbol defined so far.</param>
/// <param name="Blocks">Every block symbol defined so far.</param>
/// <param name="NextSym">The next free symbol number (pools and blocks share the counter, so numbers read in order).</param>
public sealed record GenState(
    int ModuleUsers,
    ImmutableSortedDictionary<int, GenPool> Pools,
    ImmutableSortedDictionary<int, GenBlock> Blocks,
    int NextSym)
{
    /// <summary>At most this many pools are live at once.</summary>
    public const int MaxLivePools = 3;

    /// <summary>The state a sequence starts in: the module held once, nothing else.</summary>
    public static GenState Initial { get; } = new(1, ImmutableSortedDictionary<int, GenPool>.Empty, ImmutableSortedDictionary<int, GenBlock>.Empty, 1);

    /// <summary>Live pools in symbol order.</summary>
    public IEnumerable<GenPool> LivePools => Pools.Values.Where(p => p.Live);

    /// <summary>Deleted pools in symbol order.</summary>
    public IEnumerable<GenPool> DeletedPools => Pools.Values.Where(p => !p.Live);

    /// <summary>Blocks no longer live, in symbol order.</summary>
    public IEnumerable<GenBlock> FreedBlocks => Blocks.Values.Where(b => !b.Live);

    /// <summary>True when <paramref name="sym"/> is already a pool or block symbol.</summary>
    /// <param name="sym">A symbol.</param>
    /// <returns>Whether it is taken.</returns>
    public bool IsDefined(int sym) => Pools.ContainsKey(sym) || Blocks.ContainsKey(sym);

    /// <summary>True when <paramref name="sym"/> is a live pool.</summary>
    /// <param name="sym">A pool symbol.</param>
    /// <returns>Whether it is live.</returns>
    public bool IsLivePool(int sym) => Pools.TryGetValue(sym, out GenPool? p) && p.Live;

    /// <summary>True when <paramref name="sym"/> is a pool that was deleted.</summary>
    /// <param name="sym">A pool symbol.</param>
    /// <returns>Whether it is deleted.</returns>
    public bool IsDeletedPool(int sym) => Pools.TryGetValue(sym, out GenPool? p) && !p.Live;

    /// <summary>True when <paramref name="block"/> is a live block of pool <paramref name="pool"/>.</summary>
    /// <param name="block">A block symbol.</param>
    /// <param name="pool">A pool symbol.</param>
    /// <returns>Whether it is.</returns>
    public bool IsLiveBlockOf(int block, int pool) => Blocks.TryGetValue(block, out GenBlock? b) && b.Live && b.Pool == pool;

    /// <summary>True when <paramref name="block"/> was defined and is no longer live.</summary>
    /// <param name="block">A block symbol.</param>
    /// <returns>Whether it is.</returns>
    public bool IsFreedBlock(int block) => Blocks.TryGetValue(block, out GenBlock? b) && !b.Live;

    /// <summary>Live blocks of <paramref name="pool"/> in symbol order.</summary>
    /// <param name="pool">A pool symbol.</param>
    /// <returns>The blocks.</returns>
    public IEnumerable<GenBlock> LiveBlocksOf(int pool) => Blocks.Values.Where(b => b.Live && b.Pool == pool);

    /// <summary>The state with <paramref name="sym"/> counted as used.</summary>
    internal GenState Using(int sym) => this with { NextSym = Math.Max(NextSym, sym + 1) };

    /// <summary>A new live pool.</summary>
    internal GenState WithPool(int sym, ulong size) =>
        Using(sym) with { Pools = Pools.SetItem(sym, new GenPool(sym, size, PoolLayout.For(size)?.MaxSingleRequest ?? 0, true)) };

    /// <summary>A new live block.</summary>
    internal GenState WithBlock(int sym, int pool, ulong requested) =>
        Using(sym) with { Blocks = Blocks.SetItem(sym, new GenBlock(sym, pool, requested, true)) };

    /// <summary>The block no longer live.</summary>
    internal GenState WithoutBlock(int sym) =>
        Blocks.TryGetValue(sym, out GenBlock? b) ? this with { Blocks = Blocks.SetItem(sym, b with { Live = false }) } : this;

    /// <summary>The pool deleted, with all its blocks.</summary>
    internal GenState WithoutPool(int sym)
    {
        GenState s = this;
        foreach (GenBlock b in LiveBlocksOf(sym))
        {
            s = s.WithoutBlock(b.Sym);
        }

        return Pools.TryGetValue(sym, out GenPool? p) ? s with { Pools = s.Pools.SetItem(sym, p with { Live = false }) } : s;
    }

    /// <summary>Every block of the pool freed; the pool stays.</summary>
    internal GenState Drained(int pool)
    {
        GenState s = this;
        foreach (GenBlock b in LiveBlocksOf(pool))
        {
            s = s.WithoutBlock(b.Sym);
        }

        return s;
    }

    /// <summary>Short summary, e.g. <c>users 1; p1 live (2 blocks); p4 deleted</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Join("; ",
        new[] { string.Create(CultureInfo.InvariantCulture, $"users {ModuleUsers}") }.Concat(Pools.Values.Select(p => p.Live
            ? string.Create(CultureInfo.InvariantCulture, $"p{p.Sym} live ({LiveBlocksOf(p.Sym).Count()} blocks)")
            : string.Create(CultureInfo.InvariantCulture, $"p{p.Sym} deleted"))));
}
