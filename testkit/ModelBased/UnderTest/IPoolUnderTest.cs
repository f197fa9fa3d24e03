using AreaMalloc.Pool;

namespace AreaMalloc.TestKit.ModelBased.UnderTest;

/// <summary>
/// One live pool as the properties see it: the four allocation calls over raw pointers, plus what the
/// properties read back (usable sizes, statistics, the integrity walker) and <see cref="Trim"/>.
/// Implemented over the real allocator by <see cref="RealPool"/> and, in <c>Faulty/</c>, by decorators
/// that inject one known fault each, to show the properties catch it.
/// </summary>
public interface IPoolUnderTest
{
    /// <summary>First byte of the pool's area.</summary>
    nint Base { get; }

    /// <summary>Bytes of the pool's area.</summary>
    ulong AreaSize { get; }

    /// <summary>The documented guarantee: with no live block, any single request up to this many bytes succeeds.</summary>
    ulong MaxSingleRequest { get; }

    /// <summary>malloc.</summary>
    /// <param name="size">Bytes requested.</param>
    /// <returns>The block, or 0.</returns>
    nint Malloc(nuint size);

    /// <summary>calloc.</summary>
    /// <param name="count">Members.</param>
    /// <param name="size">Bytes per member.</param>
    /// <returns>The zeroed block, or 0.</returns>
    nint Calloc(nuint count, nuint size);

    /// <summary>realloc.</summary>
    /// <param name="block">The block, or 0.</param>
    /// <param name="size">New size.</param>
    /// <returns>The resized block, or 0.</returns>
    nint Realloc(nint block, nuint size);

    /// <summary>free.</summary>
    /// <param name="block">The block, or 0.</param>
    void Free(nint block);

    /// <summary>The usable size of a live block of this pool, or null when <paramref name="block"/> is not one.</summary>
    /// <param name="block">A pointer.</param>
    /// <returns>The usable size or null.</returns>
    ulong? UsableSize(nint block);

    /// <summary>The pool's statistics.</summary>
    /// <returns>A snapshot.</returns>
    PoolStatistics Statistics();

    /// <summary>Runs the integrity walker.</summary>
    /// <returns>Its report.</returns>
    IntegrityReport CheckIntegrity();

    /// <summary>Releases spare slabs.</summary>
    void Trim();

    /// <summary>
    /// Other mappings of the pool's area (clones at other addresses): after every command the driver reads every live
    /// block through each of them too, at the block's offset from <see cref="Base"/>. None by default.
    /// </summary>
    IReadOnlyList<nint> Aliases => [];
}
