using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.ModelBased.Guarantees;

/// <summary>
/// The allocator's capacity guarantee: when a request must succeed. Stated here once, derived from the
/// allocator's design, and checked by <see cref="CapacityProperties"/> (and, for the first two parts, after
/// every command of the model-based property).
/// <list type="number">
/// <item><b>Empty pool.</b> A pool with no live block satisfies any single request of up to
/// <c>MaxSingleRequest</c> = heap size − 16 bytes (malloc, calloc, realloc of NULL), spare slabs or not: they
/// are released on demand. A larger request always fails.</item>
/// <item><b>Pristine after release, without Trim.</b> Once every block is freed (plain or caching pool, either
/// surface), the pool serves what a fresh pool serves: the same count of blocks of one size
/// (<see cref="RefillProperties"/>) and any single request up to MaxSingleRequest; once that request is freed, its
/// statistics equal a fresh pool's (largest free block = MaxSingleRequest, no slab, nothing used) except the history
/// counters RefusedFrees, FailedAllocations and PeakLargeUsedBytes. No Trim is needed: a request that would fail
/// first drains the magazines and releases the spare slabs.</item>
/// <item><b>Small-request overhead.</b> Filling an empty pool with n-byte requests (0 ≤ n ≤ 1024) yields at
/// least <see cref="MinimumFill"/> blocks: every slab-served request costs at most <see cref="SlabCost"/>
/// (≤ 1.41 × its class size) of heap, counting the 64-byte slab prefix inside the slab's first page, the slab's leftover, and the up to
/// 4127-byte gap that page-aligns a slab (the gap is later filled with large blocks); in the tail
/// that is left when no further slab fits (under one slab plus 4128 bytes), each costs a large block of
/// <see cref="LargeCost"/> bytes.</item>
/// </list>
/// </summary>
public static class CapacityGuarantee
{
    /// <summary>Block header plus slab header in front of a slab's objects.</summary>
    public const int SlabPrefix = 64;

    /// <summary>The smallest large block (header and free-list links).</summary>
    public const int MinBlock = 32;

    /// <summary>
    /// The most a slab's placement adds: the front split off so that its objects start on a page (0, or
    /// 32 to 4127 bytes: a page plus a minimal block, less one granule's worth) and up to 31 bytes of tail too
    /// small to split off.
    /// </summary>
    public const int MaxGap = B_PAGE_SIZE + MinBlock - 1;

    /// <summary>Heap bytes of a request of <paramref name="n"/> bytes served as a large block: payload rounded to 16, plus the 16-byte header.</summary>
    /// <param name="n">Bytes requested.</param>
    /// <returns>The block size.</returns>
    public static ulong LargeCost(ulong n) => Math.Max(((Math.Max(n, 1) + 15) & ~15UL) + 16, MinBlock);

    /// <summary>Heap bytes of one slab block of the class of <paramref name="n"/>: its pages (the prefix is inside the first).</summary>
    /// <param name="n">Bytes requested (at most 1024).</param>
    /// <returns>The slab block size.</returns>
    public static ulong SlabBlock(ulong n) => (ulong)(SizeClasses.SlabPages(SizeClasses.ClassOf((nuint)n)) * B_PAGE_SIZE);

    /// <summary>
    /// The most heap one slab-served n-byte request costs when a pool is filled: the worst, over every gap g
    /// the slab's placement can leave (0 or 32..4127), of (slab block + g + 31) / (objects + g / LargeCost(n)),
    /// since a gap's bytes later hold whole large blocks.
    /// </summary>
    /// <param name="n">Bytes requested (at most 1024).</param>
    /// <returns>Heap bytes per object.</returns>
    public static double SlabCost(ulong n)
    {
        int c = SizeClasses.ClassOf((nuint)n);
        double a = SlabBlock(n) + (ulong)MinBlock - 1;
        ulong l = LargeCost(n);
        double worst = a / SizeClasses.ObjectsPerSlab(c);
        for (ulong g = MinBlock; g <= MaxGap; g++)
        {
            worst = Math.Max(worst, (a + g) / ((ulong)SizeClasses.ObjectsPerSlab(c) + (g / l)));
        }

        return worst;
    }

    /// <summary>
    /// The fewest n-byte requests an empty pool with <paramref name="heapSize"/> bytes of heap satisfies:
    /// (H − T) / SlabCost + T / LargeCost − 1, with T the largest tail that may be left to large blocks when
    /// that is the dearer way (else none).
    /// </summary>
    /// <param name="heapSize">The pool's heap size (HeapEnd − HeapStart).</param>
    /// <param name="n">Bytes requested (at most 1024).</param>
    /// <returns>The guaranteed count.</returns>
    public static long MinimumFill(ulong heapSize, ulong n)
    {
        double slab = SlabCost(n);
        double large = LargeCost(n);
        double tail = large > slab ? Math.Min(heapSize, SlabBlock(n) + (ulong)B_PAGE_SIZE + MinBlock) : 0;
        return Math.Max(0, (long)Math.Floor(((heapSize - tail) / slab) + (tail / large) - 1));
    }
}
