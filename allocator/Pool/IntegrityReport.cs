namespace AreaMalloc.Pool;

/// <summary>The integrity walker's verdict on a pool.</summary>
/// <param name="Violation">Null when every invariant holds; else the first broken invariant, naming the block.</param>
/// <param name="Offset">The offset (from the area's base) of the block or structure at fault, when there is one.</param>
/// <param name="BlocksWalked">Heap blocks visited (free, used and slabs).</param>
/// <param name="FreeBlocks">Free blocks found by the walk.</param>
/// <param name="Slabs">Slabs found by the walk.</param>
/// <param name="Recount">
/// The statistics the walk recounted from the blocks themselves (null when the walk stopped at a violation before it
/// could count everything): what <see cref="PoolStatistics"/> must report.
/// </param>
public sealed record IntegrityReport(string? Violation, ulong? Offset, int BlocksWalked, int FreeBlocks, int Slabs, PoolRecount? Recount = null)
{
    /// <summary>True when every invariant holds.</summary>
    public bool IsValid => Violation is null;

    /// <inheritdoc />
    public override string ToString() =>
        IsValid
            ? $"pool intact: {BlocksWalked} blocks ({FreeBlocks} free, {Slabs} slabs)"
            : $"pool corrupt at offset 0x{Offset ?? 0:x}: {Violation}";
}
