namespace AreaMalloc.TestKit.ModelBased.Commands;

/// <summary><c>bN = malloc(pM, size)</c>.</summary>
/// <param name="Block">The block symbol it defines.</param>
/// <param name="Pool">The pool.</param>
/// <param name="Size">Bytes requested.</param>
public sealed record MallocCommand(int Block, int Pool, ulong Size) : Command
{
    /// <inheritdoc />
    public override (int Pool, int Block) Defines => (0, Block);

    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && !state.IsDefined(Block);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => Allocation.Apply(state, Block, Pool, Size);

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments() => Smaller.Than(Size).Select(s => this with { Size = s });

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Block = Map(block, Block), Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new MallocCommand(Block: {Block}, Pool: {Pool}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"{B(Block)} = malloc({P(Pool)}, {Size})");
}

/// <summary><c>bN = calloc(pM, count, size)</c> with a product that does not overflow.</summary>
/// <param name="Block">The block symbol it defines.</param>
/// <param name="Pool">The pool.</param>
/// <param name="Count">Members.</param>
/// <param name="Size">Bytes per member.</param>
public sealed record CallocCommand(int Block, int Pool, ulong Count, ulong Size) : Command
{
    /// <inheritdoc />
    public override (int Pool, int Block) Defines => (0, Block);

    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && !state.IsDefined(Block)
        && (Count == 0 || Size <= ulong.MaxValue / Count);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => Allocation.Apply(state, Block, Pool, Count * Size);

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments() =>
        Smaller.Than(Count).Select(c => this with { Count = c }).Concat(Smaller.Than(Size).Select(s => this with { Size = s }));

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Block = Map(block, Block), Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new CallocCommand(Block: {Block}, Pool: {Pool}, Count: {Count}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"{B(Block)} = calloc({P(Pool)}, {Count}, {Size})");
}

/// <summary>
/// <c>bN = realloc(pM, old, size)</c> of a live block of the pool, or of NULL (then a malloc). When the real
/// call returns NULL with a live old block, bN names the old block, which stays live.
/// </summary>
/// <param name="Block">The block symbol it defines.</param>
/// <param name="Pool">The pool.</param>
/// <param name="Old">The live block resized, or 0 for NULL.</param>
/// <param name="Size">New size; 0 frees the old block.</param>
public sealed record ReallocCommand(int Block, int Pool, int Old, ulong Size) : Command
{
    /// <inheritdoc />
    public override (int Pool, int Block) Defines => (0, Block);

    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && !state.IsDefined(Block)
        && (Old == 0 || state.IsLiveBlockOf(Old, Pool));

    /// <inheritdoc />
    public override GenState Apply(GenState state)
    {
        if (Old == 0)
        {
            return Allocation.Apply(state, Block, Pool, Size);
        }

        GenBlock old = state.Blocks[Old];
        GenState s = state.WithoutBlock(Old);
        if (Size == 0)
        {
            return s.Using(Block);
        }

        // Beyond the pool's capacity realloc fails and the old block lives on as bN.
        return s.WithBlock(Block, Pool, Size > state.Pools[Pool].MaxSingleRequest ? old.Requested : Size);
    }

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments() => Smaller.Than(Size).Select(s => this with { Size = s });

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) =>
        this with { Block = Map(block, Block), Pool = Map(pool, Pool), Old = Map(block, Old) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new ReallocCommand(Block: {Block}, Pool: {Pool}, Old: {Old}, Size: {Size})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"{B(Block)} = realloc({P(Pool)}, {B(Old)}, {Size})");
}

/// <summary><c>free(pM, bN)</c> of a live block of the pool, or of NULL.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">The block, or 0 for NULL.</param>
public sealed record FreeCommand(int Pool, int Block) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool) && (Block == 0 || state.IsLiveBlockOf(Block, Pool));

    /// <inheritdoc />
    public override GenState Apply(GenState state) => Block == 0 ? state : state.WithoutBlock(Block);

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool), Block = Map(block, Block) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new FreeCommand(Pool: {Pool}, Block: {Block})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"free({P(Pool)}, {B(Block)})");
}

/// <summary>The generator's view of an allocation: live unless it cannot fit even an empty pool.</summary>
internal static class Allocation
{
    public static GenState Apply(GenState state, int block, int pool, ulong size) =>
        size > state.Pools[pool].MaxSingleRequest ? state.Using(block) : state.WithBlock(block, pool, size);
}
