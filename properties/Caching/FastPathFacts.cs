using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.Caching;

/// <summary>Facts found while making the allocator fast (issue 6): each guards one change or one bug fixed then.</summary>
public class FastPathFacts
{
    [Fact]
    public void Growing_a_block_in_place_counts_only_the_kept_bytes_in_the_peak()
    {
        var pool = PoolFixture.NewPool(8 << 20);
        nint block = pool.Malloc(4096);
        nint grown = pool.Realloc(block, 8192);
        Assert.Equal(block, grown); // the rest of the heap follows the block: resized in place
        PoolStatistics stats = pool.GetStatistics();
        Assert.True(stats.PeakLargeUsedBytes <= 8192 + 64,
            $"after growing one block to 8 KiB in place the peak is {stats.PeakLargeUsedBytes} bytes: the absorbed free remainder was counted");
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public unsafe void Calloc_after_an_in_place_grow_and_free_still_returns_zeroes()
    {
        var pool = PoolFixture.NewPool(1 << 20);
        nint block = pool.Malloc(4096);
        nint grown = pool.Realloc(block, 65536);
        new Span<byte>((void*)grown, 65536).Fill(0xA5);
        Assert.Equal(BlockCheck.Live, pool.Free(grown));
        nint zeroed = pool.Calloc(1, 65536);
        Assert.True(new Span<byte>((void*)zeroed, 65536).IndexOfAnyExcept((byte)0) < 0, "calloc returned dirty bytes");
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void Malloc_free_pairs_keep_the_emptied_slab_as_the_listed_spare_and_Trim_restores_pristine()
    {
        var pool = PoolFixture.NewPool();
        for (int i = 0; i < 100; i++)
        {
            nint a = pool.Malloc(64);
            Assert.Equal(BlockCheck.Live, pool.Free(a));
            Assert.Equal(BlockCheck.NotLive, pool.Free(a));
        }
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(0, stats.LiveBlocks);
        Assert.Equal(1, stats.SpareSlabs);
        PoolFixture.AssertIntact(pool);

        // A second slab of the class fills and empties while the spare stays listed.
        var blocks = new List<nint>();
        for (int i = 0; i < 300; i++)
            blocks.Add(pool.Malloc(64));
        PoolFixture.AssertIntact(pool);
        foreach (nint b in blocks)
            Assert.Equal(BlockCheck.Live, pool.Free(b));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(1, pool.GetStatistics().SpareSlabs);

        pool.Trim();
        stats = pool.GetStatistics();
        Assert.Equal(0, stats.SlabCount);
        Assert.Equal(0, stats.SpareSlabs);
        Assert.Equal(pool.MaxSingleRequest, stats.LargestFreeBlock);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void Consecutive_slabs_tile_the_heap_without_gaps()
    {
        var pool = PoolFixture.NewPool(8 << 20);
        var blocks = new List<nint>();
        for (int i = 0; i < 10 * 126; i++) // ten one-page slabs of 32-byte objects
            blocks.Add(pool.Malloc(32));
        nint large = pool.Malloc(100_000); // a large block right after the last slab
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(10, stats.SlabCount);
        IntegrityReport report = pool.CheckIntegrity();
        Assert.True(report.IsValid, report.ToString());
        Assert.True(report.FreeBlocks <= 2, $"{report.FreeBlocks} free blocks: slabs left gaps between them");
        Assert.Equal(10UL * 4096 + 100_000 + 16, stats.LargeUsedBytes);
        Assert.Equal(BlockCheck.Live, pool.Free(large));
        foreach (nint b in blocks)
            Assert.Equal(BlockCheck.Live, pool.Free(b));
        pool.Trim();
        Assert.Equal(pool.MaxSingleRequest, pool.GetStatistics().LargestFreeBlock);
        Assert.Equal(0, pool.Delete());
    }
}
