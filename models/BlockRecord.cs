using System.Globalization;

namespace AreaMalloc.Models;

/// <summary>Which call made a block.</summary>
public enum AllocationKind
{
    /// <summary><c>malloc</c>.</summary>
    Malloc,

    /// <summary><c>calloc</c>.</summary>
    Calloc,

    /// <summary><c>realloc</c> (of NULL, in place, or moved).</summary>
    Realloc,
}

/// <summary>
/// One block the allocator handed out, as the model recorded it. Immutable: a block is never
/// changed, only added to and removed from the live set (realloc makes a new record).
/// Ids are 1-based, assigned in allocation order and never reused, even when an address is.
/// </summary>
/// <param name="Id">The model's identity of the block; also the seed of its fill pattern.</param>
/// <param name="PoolNumber">The model number of the pool it came from.</param>
/// <param name="Address">The pointer returned, 16-byte aligned.</param>
/// <param name="Requested">The size asked for (count * size for calloc).</param>
/// <param name="Usable">The usable size the allocator reported; <c>&gt;= max(Requested, 1)</c>.</param>
/// <param name="Origin">The call that made it.</param>
/// <param name="Step">The model step (1-based count of checked calls) that made it.</param>
/// <param name="Contents">Its expected bytes.</param>
public sealed record BlockRecord(
    int Id,
    int PoolNumber,
    ulong Address,
    ulong Requested,
    ulong Usable,
    AllocationKind Origin,
    long Step,
    BlockContents Contents)
{
    /// <summary>One past the last usable byte: <c>Address + Usable</c> (cannot overflow: checked on entry).</summary>
    public ulong End => Address + Usable;

    /// <summary>A short human description, e.g. <c>block #7 0x7f10 (size 64) from calloc at step 12</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"block #{Id} 0x{Address:x} (size {Usable}) of pool#{PoolNumber} from {Origin.ToString().ToLowerInvariant()} at step {Step}");
}
