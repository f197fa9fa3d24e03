using AreaMalloc.Pool;
using AreaMalloc.Properties.Facts;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Caching;

/// <summary>
/// The laws of the cache mark, the word a magazine writes over the first 8 bytes of every block it holds: a cached
/// block stays live in the live map, so no magazine traffic writes a live-map word (whose words other threads' blocks
/// share); the mark is what refuses a free or realloc of a cached block, and a live block that holds the mark's bytes
/// by chance is still the program's to check, realloc and free.
/// </summary>
public sealed unsafe class CacheMarkFacts
{
    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public void Cached_blocks_stay_live_and_malloc_free_and_realloc_through_the_magazine_write_no_live_map_word(int size)
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint keep = pool.Malloc((nuint)size), block = pool.Malloc((nuint)size);
        Assert.True(*(ulong*)keep != pool.CacheMark, "a block handed out by the locked refill must not carry the cache mark");
        nint other = pool.Malloc(200);
        Assert.Equal(BlockCheck.Live, pool.Free(other));
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.True(IsLiveInMap(pool, block), "a cached block must keep its live-map bit (it is out of its slab)");
        Assert.True(*(ulong*)block == pool.CacheMark, $"a cached block carries the cache mark: expected 0x{pool.CacheMark:x}, actual 0x{*(ulong*)block:x}");
        ulong[] before = LiveMap(pool);

        nint again = pool.Malloc((nuint)size);
        Assert.Equal(block, again);
        Assert.True(*(ulong*)again != pool.CacheMark, "a block handed out of a magazine must not carry the cache mark");
        AssertLiveMapIs(before, pool, "a malloc from the magazine");
        nint moved = pool.Realloc(again, 200);
        Assert.Equal(other, moved);
        AssertLiveMapIs(before, pool, "a realloc that moved between two classes through the magazine");
        Assert.Equal(BlockCheck.Live, pool.Free(moved));
        AssertLiveMapIs(before, pool, "a free into the magazine");

        Assert.Equal(BlockCheck.Live, pool.Free(keep));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0L, pool.GetStatistics().LiveBlocks);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_block_a_refill_cached_but_never_handed_out_is_refused_by_free_and_realloc()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint block = pool.Malloc(64);
        int cached = pool.CachedBlocks;
        // A refill carves consecutive objects and hands out the last one carved: the one before it waits in the magazine.
        nint neighbour = block - 64;
        Assert.Equal(BlockCheck.NotLive, pool.Check(neighbour, out _));
        Assert.Equal(BlockCheck.NotLive, pool.Free(neighbour));
        Assert.Equal(0, pool.Realloc(neighbour, 300));
        Assert.Equal(cached, pool.CachedBlocks);
        Assert.Equal(2L, pool.GetStatistics().RefusedFrees);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_live_block_holding_the_cache_mark_by_chance_is_checked_reallocated_and_freed_as_live()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint small = pool.Malloc(64), large = pool.Malloc(100_000);
        *(ulong*)small = pool.CacheMark;
        *(ulong*)large = pool.CacheMark;
        Assert.Equal(BlockCheck.Live, pool.Check(small, out _));
        Assert.Equal(BlockCheck.Live, pool.Check(large, out _));
        Assert.Equal(small, pool.Realloc(small, 60));

        nint spare = pool.Malloc(200);
        Assert.Equal(BlockCheck.Live, pool.Free(spare));
        nint moved = pool.Realloc(small, 200);
        Assert.True(moved != 0 && moved != small, $"the marked block must move to a block of 200 bytes' class; actual 0x{moved:x} from 0x{small:x}");
        Assert.True(*(ulong*)moved == pool.CacheMark, "a realloc keeps the block's first bytes, the mark's included");
        Assert.Equal(BlockCheck.NotLive, pool.Check(small, out _));
        Assert.Equal(BlockCheck.Live, pool.Check(moved, out _));

        Assert.Equal(BlockCheck.Live, pool.Free(moved));
        Assert.Equal(BlockCheck.NotLive, pool.Free(moved));
        Assert.Equal(BlockCheck.Live, pool.Free(large));
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(0L, stats.LiveBlocks);
        Assert.Equal(1L, stats.RefusedFrees);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_realloc_through_the_magazine_that_keeps_fewer_than_8_bytes_hands_out_a_block_without_the_mark()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint spare = pool.Malloc(16), block = pool.Malloc(64);
        Assert.Equal(BlockCheck.Live, pool.Free(spare));
        // The kept bytes are the mark's own first 4: a copy over a word still marked would leave the whole mark.
        *(uint*)block = (uint)pool.CacheMark;
        nint moved = pool.Realloc(block, 4);
        Assert.Equal(spare, moved);
        Assert.Equal((uint)pool.CacheMark, *(uint*)moved);
        Assert.True(*(ulong*)moved != pool.CacheMark, $"the block handed out carries the cache mark 0x{pool.CacheMark:x}");
        Assert.Equal(BlockCheck.Live, pool.Free(moved));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_refused_realloc_of_a_cached_block_to_fewer_than_8_bytes_puts_the_block_it_popped_back_with_the_mark()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint spare = pool.Malloc(16), block = pool.Malloc(64);
        Assert.Equal(BlockCheck.Live, pool.Free(spare));
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        int cached = pool.CachedBlocks;
        // The move pops the newest cached 16-byte block (spare) and copies the freed block's first 4 bytes (half of the
        // mark) into it before its claim on the freed block fails: spare must go back whole, mark and all.
        Assert.Equal(0, pool.Realloc(block, 4));
        Assert.True(*(ulong*)spare == pool.CacheMark, $"the block the refused move popped must be cached again with the mark: expected 0x{pool.CacheMark:x}, actual 0x{*(ulong*)spare:x}");
        Assert.Equal(cached, pool.CachedBlocks);
        Assert.Equal(BlockCheck.NotLive, pool.Free(spare));
        Assert.Equal(spare, pool.Malloc(16));
        Assert.True(pool.Malloc(16) != spare, "the block that went back is cached once: the next malloc of its class gets another");
        // (Statistics drain the magazines, so they are read last.)
        Assert.Equal(2L, pool.GetStatistics().RefusedFrees);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    /// <summary>The live-map words of the pool's heap, copied.</summary>
    private static ulong[] LiveMap(PoolAllocator pool)
    {
        PoolLayout layout = pool.Layout;
        int words = (int)((layout.HeapEnd >> 4) / 64 + 1);
        return new ReadOnlySpan<ulong>((ulong*)(pool.Base + (nint)layout.LiveMapOffset), words).ToArray();
    }

    private static bool IsLiveInMap(PoolAllocator pool, nint block)
    {
        ulong bit = (ulong)(block - pool.Base) >> 4;
        return (LiveMap(pool)[bit / 64] & (1UL << (int)(bit & 63))) != 0;
    }

    private static void AssertLiveMapIs(ulong[] expected, PoolAllocator pool, string after)
    {
        ulong[] actual = LiveMap(pool);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"after {after}, live-map word {i} changed: expected 0x{expected[i]:x}, actual 0x{actual[i]:x}");
    }
}
