using System.Globalization;

namespace AreaMalloc.Format;

/// <summary>What kind of damage a pool found in its own memory.</summary>
public enum DamageKind
{
    /// <summary>A large block's boundary tag fails its check word, or disagrees with its neighbour (written by something other than the allocator).</summary>
    BlockHeader,

    /// <summary>A free-list link decodes to something that is not a free block (or free object) linked back to it: the link was overwritten.</summary>
    FreeListLink,

    /// <summary>A slab header fails its keyed magic: something wrote over it.</summary>
    SlabHeader,

    /// <summary>A freed byte lost its poison before it was handed out again: a write through a dangling pointer (the pool hardening <c>PoisonFreedMemory</c>).</summary>
    UseAfterFreeWrite,
}

/// <summary>
/// The first damage a pool met. From then on the pool refuses every allocation (malloc, calloc and realloc to a
/// non-zero size return NULL), because the damaged structure may be met again anywhere; free still releases blocks
/// whose own metadata and neighbours check out, and statistics and the integrity walker keep working.
/// </summary>
/// <param name="Kind">What was damaged.</param>
/// <param name="Offset">Where, from the area's base: the damaged header, the block or object holding the bad link, or the first byte that lost its poison.</param>
/// <param name="Description">The damage in words, naming the block.</param>
public sealed record PoolDamage(DamageKind Kind, ulong Offset, string Description)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} at offset 0x{Offset:x}: {Description}");
}
