using AreaMalloc.Models;
using AreaMalloc.Pool;

namespace AreaMalloc.Properties.ModelBased.Commands;

/// <summary>Misuse: <c>free(pM, bN)</c> of a block already freed: refused, counted, nothing else changes.</summary>
/// <param name="Pool">The pool the call names.</param>
/// <param name="Block">A freed block (of any pool).</param>
public sealed record DoubleFreeCommand(int Pool, int Block) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && state.IsFreedBlock(Block);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool), Block = Map(block, Block) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new DoubleFreeCommand(Pool: {Pool}, Block: {Block})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"free({P(Pool)}, {B(Block)})   [misuse: double free]");
}

/// <summary>Misuse: <c>free(pM, bN + offset)</c>, a pointer inside a live block: refused.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">A live block of the pool.</param>
/// <param name="Offset">Bytes past its start (at least 1).</param>
public sealed record InteriorFreeCommand(int Pool, int Block, ulong Offset) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLiveBlockOf(Block, Pool) && Offset >= 1 && state.IsLivePool(Pool);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments() => Smaller.Than(Offset, floor: 1).Select(o => this with { Offset = o });

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool), Block = Map(block, Block) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new InteriorFreeCommand(Pool: {Pool}, Block: {Block}, Offset: {Offset})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"free({P(Pool)}, {B(Block)} + {Offset})   [misuse: interior pointer]");
}

/// <summary>Where a foreign pointer points.</summary>
public enum ForeignPointer
{
    /// <summary>A block of the process's native heap.</summary>
    NativeHeap,

    /// <summary>Inside the pool's own header, in front of its heap.</summary>
    PoolHeader,

    /// <summary>An unmapped, made-up address.</summary>
    Wild,

    /// <summary>A live block of another pool.</summary>
    OtherPoolBlock,
}

/// <summary>Misuse: <c>free(pM, foreign)</c> of a pointer this pool never returned: refused.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Kind">Where the pointer points.</param>
/// <param name="Other">For <see cref="ForeignPointer.OtherPoolBlock"/>: a live block of another pool; else 0.</param>
public sealed record ForeignFreeCommand(int Pool, ForeignPointer Kind, int Other = 0) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool)
        && (Kind != ForeignPointer.OtherPoolBlock
            || (state.Blocks.TryGetValue(Other, out GenBlock? b) && b.Live && b.Pool != Pool));

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool), Other = Map(block, Other) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new ForeignFreeCommand(Pool: {Pool}, Kind: ForeignPointer.{Kind}, Other: {Other})");

    /// <inheritdoc />
    public override string ToString() => Kind == ForeignPointer.OtherPoolBlock
        ? Invariant($"free({P(Pool)}, {B(Other)})   [misuse: block of another pool]")
        : Invariant($"free({P(Pool)}, <{Kind}>)   [misuse: foreign pointer]");
}

/// <summary>Misuse: <c>realloc(pM, bN, size)</c> of a freed block: NULL, refused, nothing changes.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">A freed block.</param>
/// <param name="Size">New size.</param>
public sealed record FreedPointerToReallocCommand(int Pool, int Block, ulong Size) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && state.IsFreedBlock(Block);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments() => Smaller.Than(Size).Select(s => this with { Size = s });

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool), Block = Map(block, Block) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new FreedPointerToReallocCommand(Pool: {Pool}, Block: {Block}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"realloc({P(Pool)}, {B(Block)}, {Size})   [misuse: freed pointer]");
}

/// <summary>
/// Misuse: a call on a deleted pool (or, with pool 0, on a garbage id): NULL / B_ERROR / nothing, and no
/// live pool changes.
/// </summary>
/// <param name="Pool">A deleted pool, or 0 for a garbage id.</param>
/// <param name="Kind">Which call.</param>
/// <param name="Block">Pointer argument (any block symbol, or 0 for NULL).</param>
/// <param name="Size">Size argument.</param>
public sealed record DeletedPoolCallCommand(int Pool, PoolCallKind Kind, int Block, ulong Size) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && (Pool == 0 || state.IsDeletedPool(Pool))
        && (Block == 0 || state.Blocks.ContainsKey(Block));

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments() => Smaller.Than(Size).Select(s => this with { Size = s });

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool), Block = Map(block, Block) };

    /// <inheritdoc />
    public override string ToCSharp() =>
        Invariant($"new DeletedPoolCallCommand(Pool: {Pool}, Kind: PoolCallKind.{Kind}, Block: {Block}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString()
    {
        string pool = P(Pool) + (Pool == 0 ? "" : " (deleted)");
        string call = Kind switch
        {
            PoolCallKind.Delete => Invariant($"delete_pool({pool})"),
            PoolCallKind.Malloc => Invariant($"malloc({pool}, {Size})"),
            PoolCallKind.Calloc => Invariant($"calloc({pool}, 1, {Size})"),
            PoolCallKind.Realloc => Invariant($"realloc({pool}, {B(Block)}, {Size})"),
            _ => Invariant($"free({pool}, {B(Block)})"),
        };
        return call + "   [misuse: pool not live]";
    }
}

/// <summary>Misuse: <c>calloc(pM, count, size)</c> whose product overflows 64 bits: NULL.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Count">Members.</param>
/// <param name="Size">Bytes per member.</param>
public sealed record CallocOverflowCommand(int Pool, ulong Count, ulong Size) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && Count != 0 && Size > ulong.MaxValue / Count;

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments()
    {
        // The smallest overflowing product: 2 members of just over half the address space.
        var minimal = this with { Count = 2, Size = (ulong.MaxValue / 2) + 1 };
        if (minimal != this)
        {
            yield return minimal;
        }
    }

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new CallocOverflowCommand(Pool: {Pool}, Count: {Count}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"calloc({P(Pool)}, {Count}, {Size})   [misuse: count * size overflows]");
}

/// <summary>Misuse: <c>malloc(pM, size)</c> beyond what the pool could ever hold: NULL.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Size">Bytes, above the pool's MaxSingleRequest.</param>
public sealed record ImpossibleSizeCommand(int Pool, ulong Size) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) =>
        state.ModuleUsers > 0 && state.IsLivePool(Pool) && Size > state.Pools[Pool].MaxSingleRequest;

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new ImpossibleSizeCommand(Pool: {Pool}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"malloc({P(Pool)}, {Size})   [misuse: cannot fit]");
}
