namespace AreaMalloc.Pool;

/// <summary>
/// What the integrity walker counted by visiting every block and slab of a pool, independently of the pool's counters:
/// the figures of <see cref="PoolStatistics"/> that describe the heap's state, recounted. A law of the statistics is that
/// each counter equals its recount whenever the pool is quiet (no call in flight, caches drained).
/// </summary>
/// <param name="LiveBlocks">Used large blocks plus live slab objects.</param>
/// <param name="BytesInUse">Their usable bytes (a large block's size less its header; a slab object's class size).</param>
/// <param name="LargeFreeBytes">Bytes of the free large blocks, headers included.</param>
/// <param name="LargeUsedBytes">Bytes of the used large blocks, slabs included, headers included.</param>
/// <param name="LargestFreeBlock">The largest free block's size less its header, or 0 when no block is free.</param>
/// <param name="SlabCount">Slabs met by the walk.</param>
/// <param name="SpareSlabs">Empty slabs among them (the spares).</param>
/// <param name="SlabsPerClass">Slabs met per size class.</param>
public sealed record PoolRecount(
    long LiveBlocks,
    ulong BytesInUse,
    ulong LargeFreeBytes,
    ulong LargeUsedBytes,
    ulong LargestFreeBlock,
    int SlabCount,
    int SpareSlabs,
    IReadOnlyList<int> SlabsPerClass)
{
    /// <summary>Bytes the walk tiled: free and used blocks together, which must be the whole heap.</summary>
    public ulong HeapBytes => LargeFreeBytes + LargeUsedBytes;

    /// <summary>Equal when every count is equal, the slabs per class compared class by class (two walks of one heap are equal).</summary>
    /// <param name="other">The other recount.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PoolRecount? other) =>
        other is not null && LiveBlocks == other.LiveBlocks && BytesInUse == other.BytesInUse && LargeFreeBytes == other.LargeFreeBytes
        && LargeUsedBytes == other.LargeUsedBytes && LargestFreeBlock == other.LargestFreeBlock && SlabCount == other.SlabCount
        && SpareSlabs == other.SpareSlabs && SlabsPerClass.SequenceEqual(other.SlabsPerClass);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(LiveBlocks, BytesInUse, LargeFreeBytes, LargeUsedBytes, LargestFreeBlock, SlabCount, SpareSlabs);
}
