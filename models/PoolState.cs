namespace AreaMalloc.Models;

/// <summary>
/// One pool as the model sees it. Mutable, owned by exactly one <see cref="AllocatorModel"/>,
/// changed only by that model after a call was judged allowed; read it, never change it.
/// </summary>
/// <remarks>
/// Invariants while <see cref="IsLive"/>: every live block lies inside <see cref="Geometry"/>;
/// <see cref="BytesInUse"/> is the sum of their usable sizes; the same blocks are in the model's
/// global <see cref="LiveBlockIndex"/>. Once deleted a pool has no blocks and never lives again
/// (a new pool that gets the same handle is a new <see cref="PoolState"/> with a new number).
/// </remarks>
public sealed class PoolState
{
    private readonly Dictionary<ulong, BlockRecord> blocks;

    internal PoolState(int number, ulong handle, PoolGeometry geometry, long createdAtStep)
        : this(number, handle, geometry, createdAtStep, new Dictionary<ulong, BlockRecord>())
    {
    }

    private PoolState(int number, ulong handle, PoolGeometry geometry, long createdAtStep, Dictionary<ulong, BlockRecord> blocks)
    {
        Number = number;
        Handle = handle;
        Geometry = geometry;
        CreatedAtStep = createdAtStep;
        this.blocks = blocks;
        IsLive = true;
    }

    /// <summary>1-based model number, in creation order of successful <c>create_pool</c> calls.</summary>
    public int Number { get; }

    /// <summary>The opaque id <c>create_pool</c> returned.</summary>
    public ulong Handle { get; }

    /// <summary>Area and capacity as reported at creation.</summary>
    public PoolGeometry Geometry { get; }

    /// <summary>The model step that created it.</summary>
    public long CreatedAtStep { get; }

    /// <summary>False once deleted (by <c>delete_pool</c> or by the last <c>put_module</c>).</summary>
    public bool IsLive { get; private set; }

    /// <summary>Sum of usable sizes of the live blocks.</summary>
    public ulong BytesInUse { get; private set; }

    /// <summary>Refused <c>free</c>/<c>realloc</c> pointers so far.</summary>
    public long RefusedFrees { get; private set; }

    /// <summary>Allocation calls on this pool that returned NULL although they asked for memory.</summary>
    public long FailedAllocations { get; private set; }

    /// <summary>The live blocks keyed by address.</summary>
    public IReadOnlyDictionary<ulong, BlockRecord> LiveBlocks => blocks;

    /// <summary>The statistics the real pool must report now.</summary>
    public PoolStatistics Statistics => new(blocks.Count, BytesInUse, RefusedFrees, FailedAllocations);

    /// <summary>Short label for messages, e.g. <c>pool#2</c>.</summary>
    /// <returns>The label.</returns>
    public override string ToString() => $"pool#{Number}";

    internal void Add(BlockRecord block)
    {
        blocks.Add(block.Address, block);
        BytesInUse += block.Usable;
    }

    internal void Remove(BlockRecord block)
    {
        blocks.Remove(block.Address);
        BytesInUse -= block.Usable;
    }

    internal void CountRefusal() => RefusedFrees++;

    internal void CountFailure() => FailedAllocations++;

    /// <summary>Marks the pool deleted and returns the blocks it held (for the global index).</summary>
    internal List<BlockRecord> Delete()
    {
        var held = blocks.Values.ToList();
        blocks.Clear();
        BytesInUse = 0;
        IsLive = false;
        return held;
    }

    internal PoolState Clone() => new(Number, Handle, Geometry, CreatedAtStep, new Dictionary<ulong, BlockRecord>(blocks))
    {
        IsLive = IsLive,
        BytesInUse = BytesInUse,
        RefusedFrees = RefusedFrees,
        FailedAllocations = FailedAllocations,
    };
}
