using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>realloc: NULL and zero cases, in-place growth and shrink, moves keep the prefix, failure keeps the block.</summary>
public class ReallocFacts
{
    [SpecRow("op-realloc-null")]
    [Fact]
    public void Realloc_of_null_is_malloc()
    {
        PoolAllocator pool = PoolFixture.NewPool();
        nint block = pool.Realloc(0, 100);
        Assert.Equal(BlockCheck.Live, pool.Check(block, out ulong usable));
        Assert.True(usable >= 100);
        pool.Delete();
    }

    [SpecRow("op-realloc-zero")]
    [Fact]
    public void Realloc_to_zero_frees_the_block_and_returns_null()
    {
        PoolAllocator pool = PoolFixture.NewPool();
        nint block = pool.Malloc(100);
        Assert.Equal(0, pool.Realloc(block, 0));
        Assert.Equal(BlockCheck.NotLive, pool.Check(block, out _));
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
        Assert.Equal(0, pool.GetStatistics().RefusedFrees);
        pool.Delete();
    }

    [SpecRow("op-realloc-same-class")]
    [Fact]
    public void A_slab_block_stays_in_place_while_the_size_keeps_its_class()
    {
        PoolAllocator pool = PoolFixture.NewPool();
        nint block = pool.Malloc(130); // class 160
        Assert.Equal(block, pool.Realloc(block, 160));
        Assert.Equal(block, pool.Realloc(block, 129));
        pool.Delete();
    }

    [Fact]
    public void A_large_block_grows_in_place_into_a_free_neighbour_and_shrinks_in_place()
    {
        PoolAllocator pool = PoolFixture.NewPool(4 << 20);
        nint block = pool.Malloc(10_000);
        PoolFixture.Fill(block, 10_000, 1);
        Assert.Equal(block, pool.Realloc(block, 200_000));
        Assert.Null(PoolFixture.FindDamage(block, 10_000, 1));
        Assert.Equal(block, pool.Realloc(block, 5_000));
        Assert.Null(PoolFixture.FindDamage(block, 5_000, 1));
        pool.Check(block, out ulong usable);
        Assert.InRange(usable, 5_000UL, 5_000UL + 48);
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }

    [Theory]
    [InlineData(16UL, 5000UL)]
    [InlineData(3000UL, 100UL)]
    [InlineData(100UL, 2000UL)]
    [InlineData(5000UL, 500_000UL)]
    public void A_moved_block_keeps_the_common_prefix_and_the_old_block_is_released(ulong from, ulong to)
    {
        PoolAllocator pool = PoolFixture.NewPool(4 << 20);
        nint block = pool.Malloc((nuint)from);
        nint fence = pool.Malloc((nuint)from); // keeps a large block from growing in place
        PoolFixture.Fill(block, from, 9);
        nint moved = pool.Realloc(block, (nuint)to);
        Assert.NotEqual(0, moved);
        Assert.Null(PoolFixture.FindDamage(moved, Math.Min(from, to), 9));
        if (moved != block)
            Assert.Equal(BlockCheck.NotLive, pool.Check(block, out _));
        Assert.Equal(2, pool.GetStatistics().LiveBlocks);
        pool.Free(fence);
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }

    [SpecRow("op-realloc-failure")]
    [Fact]
    public void A_failed_realloc_returns_null_and_leaves_the_old_block_intact()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        nint block = pool.Malloc(3000);
        PoolFixture.Fill(block, 3000, 4);
        PoolStatistics before = pool.GetStatistics();
        Assert.Equal(0, pool.Realloc(block, 2 << 20));
        Assert.Null(PoolFixture.FindDamage(block, 3000, 4));
        Assert.Equal(BlockCheck.Live, pool.Check(block, out _));
        PoolStatistics after = pool.GetStatistics();
        Assert.Equal(before.LiveBlocks, after.LiveBlocks);
        Assert.Equal(before.BytesInUse, after.BytesInUse);
        Assert.Equal(before.FailedAllocations + 1, after.FailedAllocations);
        pool.Delete();
    }

    [Fact]
    public void A_realloc_of_a_large_block_to_a_size_no_block_can_hold_returns_null_and_keeps_the_block()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        nint block = pool.Malloc(3000);
        Assert.Equal(0, pool.Realloc(block, nuint.MaxValue - 8));
        Assert.Equal(BlockCheck.Live, pool.Check(block, out ulong usable));
        Assert.Equal(3008UL, usable);
        Assert.Equal(1, pool.GetStatistics().FailedAllocations);
        pool.Delete();
    }

    [SpecRow("op-realloc-failure")]
    [Fact]
    public void A_shrink_that_cannot_move_stays_in_place()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 16);
        nint big = pool.Malloc(1000); // class 1024 slab
        var filler = new List<nint>();
        for (nint b; (b = pool.Malloc(4000)) != 0;)
            filler.Add(b);
        while (pool.Malloc(16) is var b && b != 0)
            filler.Add(b);
        Assert.Equal(big, pool.Realloc(big, 16)); // no room for a 16-byte class: keep the 1024 block
        pool.Delete();
    }
}
