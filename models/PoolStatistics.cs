namespace AreaMalloc.Models;

/// <summary>
/// The statistics the model predicts exactly for a live pool, and the real pool must report.
/// </summary>
/// <param name="LiveBlocks">Number of live blocks (allocated and not yet freed or released by realloc).</param>
/// <param name="BytesInUse">Sum of the usable sizes (as reported at allocation time) of the live blocks.</param>
/// <param name="RefusedFrees">
/// Number of <c>free</c>/<c>realloc</c> calls on this pool whose pointer was not NULL and not a
/// live block of this pool (double, interior, foreign or other-pool frees).
/// </param>
/// <param name="FailedAllocations">
/// Number of malloc/calloc/realloc calls on this live pool that returned NULL although they asked for memory (out of
/// memory, above the capacity, or a calloc whose count times size overflows); realloc to 0 and refused pointers are not.
/// </param>
public readonly record struct PoolStatistics(long LiveBlocks, ulong BytesInUse, long RefusedFrees, long FailedAllocations = 0);
