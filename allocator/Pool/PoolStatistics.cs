using AreaMalloc.Format;

namespace AreaMalloc.Pool;

/// <summary>A snapshot of a pool's counters, taken under its lock.</summary>
public sealed record PoolStatistics
{
    /// <summary>Bytes of the pool's area.</summary>
    public required ulong AreaSize { get; init; }
    /// <summary>Bytes of the heap (the area less the metadata and the sentinel).</summary>
    public required ulong HeapSize { get; init; }
    /// <summary>Blocks handed out and not yet freed.</summary>
    public required long LiveBlocks { get; init; }
    /// <summary>Sum of the usable sizes of the live blocks.</summary>
    public required ulong BytesInUse { get; init; }
    /// <summary>Bytes of the heap in free large blocks (headers included).</summary>
    public required ulong LargeFreeBytes { get; init; }
    /// <summary>Bytes of the heap in used large blocks, slabs included (headers included).</summary>
    public required ulong LargeUsedBytes { get; init; }
    /// <summary>The highest <see cref="LargeUsedBytes"/> has been: the pool's footprint high-water mark.</summary>
    public required ulong PeakLargeUsedBytes { get; init; }
    /// <summary>The largest request the large-block allocator can satisfy now, without releasing spare slabs.</summary>
    public required ulong LargestFreeBlock { get; init; }
    /// <summary>Slabs that exist, spares included.</summary>
    public required int SlabCount { get; init; }
    /// <summary>Empty slabs kept for reuse (at most one per class); released by Trim or when memory runs short.</summary>
    public required int SpareSlabs { get; init; }
    /// <summary>Slabs per size class, indexed like <see cref="Slabs.SizeClasses"/>.</summary>
    public required IReadOnlyList<int> SlabsPerClass { get; init; }
    /// <summary>free/realloc calls refused because the pointer was not a live block of this pool.</summary>
    public required long RefusedFrees { get; init; }
    /// <summary>malloc/calloc/realloc calls that returned NULL for lack of memory, an impossible size, or damage met.</summary>
    public required long FailedAllocations { get; init; }
    /// <summary>Times the pool met damaged metadata (a header failing its check word, a bad free-list link, a slab header failing its magic) and refused to follow it.</summary>
    public long CorruptionsDetected { get; init; }
    /// <summary>Times a use-after-free write was found in freed memory about to be reused (<see cref="PoolHardening.PoisonFreedMemory"/>).</summary>
    public long UseAfterFreeWrites { get; init; }
    /// <summary>The first damage met (kind, offset, description), or null; once set the pool refuses every allocation.</summary>
    public PoolDamage? FirstDamage { get; init; }
}
