using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Arithmetic;

/// <summary>Pool layout arithmetic, alignment, and the overflow checks of calloc and large requests.</summary>
[Expensive(2)]
public sealed class LayoutAndOverflowProperties
{
    private const ulong PoolSize = 256 * 1024;

    /// <summary>A 64-bit value built from two random halves.</summary>
    private static Gen<ulong> AnyUlong { get; } =
        from hi in Gen.Choose(int.MinValue, int.MaxValue) from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select ((ulong)(uint)hi << 32) | (uint)lo;

    /// <summary>calloc arguments: small products, products just below/above 2^64, and everything in between.</summary>
    private static Arbitrary<(ulong Count, ulong Size)> CallocArguments { get; } = Arb.From(Gen.Frequency(
        (2, from c in Gen.Choose(0, 64) from s in Gen.Choose(0, 8192) select ((ulong)c, (ulong)s)),
        (3, from c in Gen.Frequency((1, AnyUlong), (2, Gen.Choose(1, 1 << 20).Select(x => (ulong)x)), (1, Gen.Choose(1, 63).Select(k => 1UL << k)))
            from d in Gen.Choose(-2, 2)
            select (c, (ulong.MaxValue / c) + (ulong)(long)d)),
        (1, from c in AnyUlong from s in AnyUlong select (c, s))));

    [BudgetedProperty]
    public Property A_pool_layout_is_aligned_and_its_maps_cost_under_one_percent() => Prop.ForAll(
        Arb.From(Gen.Choose(1, 1 << 16).Select(pages => (ulong)pages * B_PAGE_SIZE)), areaSize =>
        {
            PoolLayout? found = PoolLayout.For(areaSize);
            Assert.Equal(areaSize >= PoolLayout.MinAreaSize, found.HasValue);
            if (found is not PoolLayout layout)
            {
                return;
            }

            ulong pages = areaSize / B_PAGE_SIZE;
            foreach (ulong offset in new[] { layout.PageMapOffset, layout.LiveMapOffset, layout.HeapStart, layout.HeapEnd })
            {
                Assert.Equal(0UL, offset % Granules.Bytes);
            }

            Assert.True(layout.LiveMapOffset - layout.PageMapOffset >= pages * 4, "the page map has less than 4 bytes per page");
            Assert.True(layout.HeapStart - layout.LiveMapOffset >= areaSize / Granules.Bytes / 8, "the live map has less than a bit per granule");
            Assert.Equal(areaSize - 16, layout.HeapEnd);
            Assert.Equal(layout.HeapEnd - layout.HeapStart - 16, layout.MaxSingleRequest);
            // The maps: 4 bytes per page plus one bit per 16 bytes (0.88%), plus at most two alignments.
            double maps = layout.HeapStart - layout.PageMapOffset;
            Assert.True(maps <= (0.009 * areaSize) + 32, $"maps of {maps} bytes for {areaSize}: over 0.9%");
        });

    [BudgetedProperty]
    public Property Calloc_is_null_exactly_when_the_product_overflows_or_cannot_fit_an_empty_pool() => Prop.ForAll(CallocArguments, args =>
    {
        using var pool = new ScratchPool(PoolSize);
        bool overflows = args.Count != 0 && args.Size > ulong.MaxValue / args.Count;
        nint block = pool.Allocator.Calloc((nuint)args.Count, (nuint)args.Size);
        if (overflows || args.Count * args.Size > pool.Allocator.MaxSingleRequest)
        {
            Assert.True(block == 0, $"calloc({args.Count}, {args.Size}) returned a block: the product {(overflows ? "overflows" : "exceeds MaxSingleRequest")}");
            Assert.Equal(1, pool.Allocator.GetStatistics().FailedAllocations);
        }
        else
        {
            Assert.True(block != 0, $"calloc({args.Count}, {args.Size}) = {args.Count * args.Size} bytes failed in an empty pool");
            Assert.Equal(0, block % 16);
        }
    });

    [BudgetedProperty]
    public Property Requests_near_the_top_of_the_address_space_fail_without_wrapping() => Prop.ForAll(
        Arb.From(Gen.Frequency(
            (2, Gen.Choose(0, 4096).Select(k => ulong.MaxValue - (ulong)k)),
            (1, Gen.Choose(-64, 64).Select(k => TlsfMapping.MaxBlockSize + (ulong)(long)k)),
            (1, Gen.Choose(0, 62).Select(k => (1UL << 63) + (1UL << k))))),
        size =>
        {
            using var pool = new ScratchPool(PoolSize);
            Assert.Equal(0, pool.Allocator.Malloc((nuint)size));
            nint small = pool.Allocator.Malloc(48);
            Assert.Equal(0, pool.Allocator.Realloc(small, (nuint)size));
            Assert.Equal(BlockCheck.Live, pool.Allocator.Check(small, out ulong usable));
            Assert.Equal(48UL, usable);
            PoolStatistics stats = pool.Allocator.GetStatistics();
            Assert.Equal(1, stats.LiveBlocks);
            Assert.Equal(2, stats.FailedAllocations);
        });

    [BudgetedProperty]
    public Property Every_block_is_16_byte_aligned_and_inside_the_heap() => Prop.ForAll(
        Arb.From(from count in Gen.Choose(1, 40) from list in Gen.ListOf(Gen.Frequency((4, Gen.Choose(0, 2100)), (2, Gen.Choose(2049, 40000))), count) select list),
        sizes =>
        {
            using var pool = new ScratchPool(PoolSize);
            PoolLayout layout = pool.Allocator.Layout;
            foreach (int n in sizes)
            {
                nint block = pool.Allocator.Malloc((nuint)n);
                if (block == 0)
                {
                    continue;
                }

                ulong offset = (ulong)(block - pool.Allocator.Base);
                Assert.Equal(0UL, offset % 16);
                Assert.True(offset >= layout.HeapStart && offset + (ulong)n <= layout.HeapEnd, $"block at offset {offset} of {n} bytes is outside the heap");
            }
        });
}
