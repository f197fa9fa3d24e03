using AreaMalloc.Format;

namespace AreaMalloc.Pool;

/// <summary>
/// A snapshot of a pool's counters, taken under its lock. Every figure is a law: the state figures equal the integrity
/// walker's recount (<see cref="IntegrityReport.Recount"/>) of the blocks themselves; the history figures equal what the
/// calls so far imply (the tests keep that history); where a figure is only a bound, its doc says so.
/// </summary>
public sealed record PoolStatistics
{
    /// <summary>Bytes of the pool's area: exactly the size <c>get_area_info</c> reports for it, and the size create_pool was given.</summary>
    public required ulong AreaSize { get; init; }
    /// <summary>Bytes of the heap (the area less the metadata and the sentinel): exactly <see cref="LargeFreeBytes"/> + <see cref="LargeUsedBytes"/>, the bytes the walker tiles.</summary>
    public required ulong HeapSize { get; init; }
    /// <summary>Blocks handed out and not yet freed: exactly the walker's count of used large blocks and live slab objects.</summary>
    public required long LiveBlocks { get; init; }
    /// <summary>Sum of the usable sizes of the live blocks: exactly the walker's sum.</summary>
    public required ulong BytesInUse { get; init; }
    /// <summary>Bytes of the heap in free large blocks (headers included): exactly the walker's sum over the free blocks.</summary>
    public required ulong LargeFreeBytes { get; init; }
    /// <summary>Bytes of the heap in used large blocks, slabs included (headers included): exactly the walker's sum over the used blocks.</summary>
    public required ulong LargeUsedBytes { get; init; }
    /// <summary>
    /// The highest <see cref="LargeUsedBytes"/> has been: the pool's footprint high-water mark. Seen from outside only a
    /// bound (a call may use more in passing than it leaves): at least every <see cref="LargeUsedBytes"/> reported so far,
    /// never lower than in an earlier snapshot, at most <see cref="HeapSize"/>.
    /// </summary>
    public required ulong PeakLargeUsedBytes { get; init; }
    /// <summary>The largest request the large-block allocator can satisfy now, without releasing spare slabs: exactly the walker's largest free block less its 16-byte header, or 0.</summary>
    public required ulong LargestFreeBlock { get; init; }
    /// <summary>Slabs that exist, spares included: exactly the slabs the walker meets, and the sum of <see cref="SlabsPerClass"/>.</summary>
    public required int SlabCount { get; init; }
    /// <summary>Empty slabs kept for reuse (at most one per class, a bound); released by Trim or when memory runs short: exactly the empty slabs the walker meets.</summary>
    public required int SpareSlabs { get; init; }
    /// <summary>Slabs per size class, indexed like <see cref="Slabs.SizeClasses"/>: exactly the walker's count per class.</summary>
    public required IReadOnlyList<int> SlabsPerClass { get; init; }
    /// <summary>free/realloc calls refused because the pointer was not a live block of this pool: exactly the reference model's count; never decreases.</summary>
    public required long RefusedFrees { get; init; }
    /// <summary>malloc/calloc/realloc calls that returned NULL for lack of memory, an impossible size, or damage met: exactly the NULLs the caller saw from live blocks' requests (the model counts them); never decreases.</summary>
    public required long FailedAllocations { get; init; }
    /// <summary>Times the pool met damaged metadata (a header failing its check word, a bad free-list link, a slab header failing its magic) and refused to follow it; at least 1 when <see cref="FirstDamage"/> is metadata damage (a bound); never decreases.</summary>
    public long CorruptionsDetected { get; init; }
    /// <summary>Times a use-after-free write was found in freed memory about to be reused (<see cref="PoolHardening.PoisonFreedMemory"/>); 0 without poisoning; at least 1 when <see cref="FirstDamage"/> is a use-after-free write (a bound); never decreases.</summary>
    public long UseAfterFreeWrites { get; init; }
    /// <summary>The first damage met (kind, offset, description), or null exactly when <see cref="CorruptionsDetected"/> and <see cref="UseAfterFreeWrites"/> are both 0; once set it never changes and the pool refuses every allocation.</summary>
    public PoolDamage? FirstDamage { get; init; }
}
