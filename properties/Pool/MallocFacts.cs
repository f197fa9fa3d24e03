using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>malloc: alignment, placement, malloc(0), exhaustion and the capacity guarantee.</summary>
public class MallocFacts
{
    public static TheoryData<ulong> Sizes => new() { 0, 1, 15, 16, 17, 127, 128, 129, 2047, 2048, 2049, 4096, 65536, 1 << 20 };

    [SpecRow("op-aligned")]
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_block_is_16_byte_aligned_inside_the_heap_and_at_least_as_large_as_asked(ulong size)
    {
        PoolAllocator pool = PoolFixture.NewPool(4 << 20);
        nint block = pool.Malloc((nuint)size);
        Assert.NotEqual(0, block);
        Assert.Equal(0, block % 16);
        ulong offset = (ulong)(block - pool.Base);
        Assert.InRange(offset, pool.Layout.HeapStart, pool.Layout.HeapEnd - 1);
        Assert.Equal(BlockCheck.Live, pool.Check(block, out ulong usable));
        Assert.True(usable >= Math.Max(size, 1), $"usable {usable} < requested {size}");
        Assert.True(offset + usable <= pool.Layout.HeapEnd);
        pool.Delete();
    }

    [SpecRow("op-malloc-zero")]
    [Fact]
    public void Malloc_zero_returns_distinct_pointers_that_free_accepts()
    {
        PoolAllocator pool = PoolFixture.NewPool();
        nint a = pool.Malloc(0), b = pool.Malloc(0);
        Assert.NotEqual(0, a);
        Assert.NotEqual(0, b);
        Assert.NotEqual(a, b);
        Assert.Equal(BlockCheck.Live, pool.Free(a));
        Assert.Equal(BlockCheck.Live, pool.Free(b));
        pool.Delete();
    }

    [SpecRow("classes-step-128")]
    [SpecRow("classes-step-64")]
    [SpecRow("classes-step-32")]
    [SpecRow("classes-step-16")]
    [Fact]
    public void Small_requests_take_the_smallest_class_that_holds_them()
    {
        PoolAllocator pool = PoolFixture.NewPool();
        for (ulong size = 0; size <= SizeClasses.MaxSmallSize; size += 7)
        {
            nint block = pool.Malloc((nuint)size);
            pool.Check(block, out ulong usable);
            Assert.Equal((ulong)SizeClasses.SizeOf(SizeClasses.ClassOf((nuint)size)), usable);
            pool.Free(block);
        }
        pool.Delete();
    }

    [SpecRow("cap-empty-pool")]
    [SpecRow("misuse-too-large")]
    [Fact]
    public void An_empty_pool_satisfies_one_request_of_MaxSingleRequest_but_not_one_byte_more()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        Assert.Equal(0, pool.Malloc((nuint)pool.MaxSingleRequest + 1));
        nint block = pool.Malloc((nuint)pool.MaxSingleRequest);
        Assert.NotEqual(0, block);
        Assert.Equal(0, pool.Malloc(1));
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.Equal(2, pool.GetStatistics().FailedAllocations);
        pool.Delete();
    }

    [Fact]
    public void Spare_slabs_never_make_a_request_fail_they_are_released_on_demand()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        var blocks = new List<nint>();
        for (int c = 0; c < SizeClasses.Count; c++)
            blocks.Add(pool.Malloc((nuint)SizeClasses.SizeOf(c)));
        blocks.ForEach(b => pool.Free(b));
        Assert.Equal(SizeClasses.Count, pool.GetStatistics().SpareSlabs);
        nint big = pool.Malloc((nuint)pool.MaxSingleRequest);
        Assert.NotEqual(0, big);
        Assert.Equal(0, pool.GetStatistics().SlabCount);
        pool.Delete();
    }

    [SpecRow("cap-pristine-after-free")]
    [Fact]
    public void Exhausting_a_pool_returns_null_then_freeing_everything_and_trimming_restores_the_pristine_state()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        PoolStatistics pristine = pool.GetStatistics();
        var blocks = new List<nint>();
        var rng = new Random(7);
        while (true)
        {
            nint block = pool.Malloc((nuint)rng.Next(1, 5000));
            if (block == 0)
                break;
            blocks.Add(block);
        }
        Assert.True(blocks.Count > 100);
        PoolFixture.AssertIntact(pool);
        foreach (nint block in blocks.OrderBy(_ => rng.Next()))
            Assert.Equal(BlockCheck.Live, pool.Free(block));
        pool.Trim();
        PoolStatistics after = pool.GetStatistics();
        Assert.Equal(pristine with { FailedAllocations = after.FailedAllocations, PeakLargeUsedBytes = after.PeakLargeUsedBytes, SlabsPerClass = after.SlabsPerClass }, after);
        Assert.All(after.SlabsPerClass, n => Assert.Equal(0, n));
        Assert.Equal(pool.MaxSingleRequest, after.LargestFreeBlock);
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }
}
