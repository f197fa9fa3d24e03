using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using AreaMalloc.Properties.Runner;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>Statistics and the slab lifecycle, and coalescing of large blocks.</summary>
[Expensive(2)]
public class StatisticsFacts
{
    [SpecRow("stats-fields")]
    [Fact]
    public void Statistics_count_live_blocks_and_their_usable_bytes()
    {
        PoolAllocator pool = PoolFixture.NewPool(4 << 20);
        nint a = pool.Malloc(10), b = pool.Malloc(3000), c = pool.Calloc(2, 50);
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(3, stats.LiveBlocks);
        Assert.Equal(16UL + 3008 + 112, stats.BytesInUse);
        Assert.Equal(2, stats.SlabCount);
        Assert.Equal(1, stats.SlabsPerClass[SizeClasses.ClassOf(10)]);
        Assert.Equal(1, stats.SlabsPerClass[SizeClasses.ClassOf(100)]);
        Assert.Equal(stats.HeapSize, stats.LargeFreeBytes + stats.LargeUsedBytes);
        pool.Free(a); pool.Free(b); pool.Free(c);
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
        Assert.Equal(0UL, pool.GetStatistics().BytesInUse);
        pool.Delete();
    }

    [Fact]
    public void An_emptied_slab_becomes_its_class_spare_and_a_second_goes_back_to_the_heap()
    {
        PoolAllocator pool = PoolFixture.NewPool(4 << 20);
        int perSlab = SizeClasses.ObjectsPerSlab(SizeClasses.ClassOf(64));
        var blocks = Enumerable.Range(0, perSlab + 1).Select(_ => pool.Malloc(64)).ToList();
        Assert.Equal(2, pool.GetStatistics().SlabCount);
        blocks.ForEach(b => pool.Free(b));
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(1, stats.SlabCount);
        Assert.Equal(1, stats.SpareSlabs);
        pool.Trim();
        stats = pool.GetStatistics();
        Assert.Equal(0, stats.SlabCount);
        Assert.Equal(pool.MaxSingleRequest, stats.LargestFreeBlock);
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }

    [Fact]
    public void Freeing_three_neighbours_in_any_order_coalesces_them_into_one_block()
    {
        foreach (int[] order in new[] { new[] { 0, 1, 2 }, new[] { 2, 1, 0 }, new[] { 0, 2, 1 }, new[] { 1, 0, 2 } })
        {
            PoolAllocator pool = PoolFixture.NewPool(1 << 20);
            nint[] blocks = [pool.Malloc(10_000), pool.Malloc(20_000), pool.Malloc(30_000)];
            foreach (int i in order)
            {
                pool.Free(blocks[i]);
                PoolFixture.AssertIntact(pool); // the walker rejects two free neighbours
            }
            Assert.Equal(pool.MaxSingleRequest, pool.GetStatistics().LargestFreeBlock);
            pool.Delete();
        }
    }

    [Fact]
    public void The_peak_of_used_heap_bytes_is_a_high_water_mark()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        nint block = pool.Malloc(100_000);
        ulong peak = pool.GetStatistics().PeakLargeUsedBytes;
        Assert.True(peak >= 100_000);
        pool.Free(block);
        Assert.Equal(peak, pool.GetStatistics().PeakLargeUsedBytes);
        Assert.Equal(0UL, pool.GetStatistics().LargeUsedBytes);
        pool.Delete();
    }

    [Fact]
    public void Small_request_overhead_is_bounded_by_the_class_rounding_plus_one_eighth_for_slabs()
    {
        // A small request wastes under 16 bytes (up to 128) or under 25% (above). Filling a pool with n objects
        // of one small size uses at most size-class bytes per object, plus
        // at most 1/8 of each slab left over and the 64-byte slab prefix.
        foreach (int size in new[] { 16, 24, 100, 129, 700, 1024 })
        {
            PoolAllocator pool = PoolFixture.NewPool(8 << 20);
            int classSize = SizeClasses.SizeOf(SizeClasses.ClassOf((nuint)size));
            int n = 2000;
            for (int i = 0; i < n; i++)
                Assert.NotEqual(0, pool.Malloc((nuint)size));
            PoolStatistics stats = pool.GetStatistics();
            double perObject = (double)stats.LargeUsedBytes / n;
            double bound = classSize * (1 + 1.0 / 8) + 64.0 * stats.SlabCount / n + 16;
            Assert.True(perObject <= bound, $"size {size}: {perObject:F1} heap bytes per object, bound {bound:F1}");
            Assert.True(classSize <= Math.Max(size + 15, size * 1.25), $"class {classSize} for {size}: more than 15 bytes and 25% of waste");
            pool.Delete();
        }
    }
}
