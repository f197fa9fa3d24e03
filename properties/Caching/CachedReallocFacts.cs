using AreaMalloc.Pool;
using AreaMalloc.Properties.Facts;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;
using static AreaMalloc.Properties.Hardening.Forge;
using AreaMalloc.Caching;

namespace AreaMalloc.Properties.Caching;

/// <summary>
/// The laws of realloc in a caching pool (<see cref="PoolCaching.ThreadMagazines"/>) on one thread: a live slab object
/// resized to a small size moves to the newest cached block of the new class (its bytes copied, the old block cached in
/// its place) or stays where it is when the class is the same; whatever the fast path cannot take gets the answer of an
/// uncached pool, and a refused realloc leaves the magazine as it was.
/// </summary>
public sealed unsafe class CachedReallocFacts
{
    /// <summary>A cached block of the class of <paramref name="size"/>, its bytes set to <paramref name="fill"/>: the newest of its class.</summary>
    private static nint CacheOne(PoolAllocator pool, nuint size, byte fill)
    {
        nint block = pool.Malloc(size);
        new Span<byte>((void*)block, (int)size).Fill(fill);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        return block;
    }

    private static int CachedOfClass(PoolAllocator pool, nuint size) =>
        (pool.CurrentThreadMagazine ?? throw new Xunit.Sdk.XunitException("the thread has no magazine of the pool")).Count(SizeClasses.ClassOf(size));

    [Theory]
    [InlineData(64, 200)]
    [InlineData(200, 64)]
    [InlineData(16, 1024)]
    public void Realloc_to_another_class_takes_its_newest_cached_block_copies_the_kept_bytes_and_caches_the_old_block(int from, int to)
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint target = CacheOne(pool, (nuint)to, 0xEE);
        nint block = pool.Malloc((nuint)from);
        for (int i = 0; i < from; i++)
            ((byte*)block)[i] = (byte)(i + 1);
        int cached = pool.CachedBlocks;

        nint moved = pool.Realloc(block, (nuint)to);

        Assert.True(moved == target, $"realloc({from} -> {to}): expected the newest cached block of the new class 0x{target:x}; actual 0x{moved:x}");
        int kept = Math.Min(from, to);
        for (int i = 0; i < kept; i++)
            Assert.True(((byte*)moved)[i] == (byte)(i + 1), $"byte {i} of {kept} kept bytes: expected {(byte)(i + 1)}; actual {((byte*)moved)[i]}");
        // Past the kept bytes the new block holds what it held: realloc copies min(old, new) bytes, no more.
        int untouched = new Span<byte>((void*)(moved + kept), to - kept).IndexOfAnyExcept((byte)0xEE);
        Assert.True(untouched < 0, $"realloc wrote byte {kept + untouched} of the new block, past the {kept} kept bytes");
        Assert.Equal(cached, pool.CachedBlocks); // one cached block taken, one put back
        Assert.Equal(BlockCheck.NotLive, pool.Check(block, out _));
        Assert.Equal(BlockCheck.Live, pool.Check(moved, out ulong usable));
        Assert.Equal((ulong)SizeClasses.SizeOf(SizeClasses.ClassOf((nuint)to)), usable);
        Assert.Equal(block, pool.Malloc((nuint)from)); // the old block is the newest cached block of its class
        PoolFixture.AssertCountsThenDelete(pool, live: 2, refused: 0);
    }

    [Fact]
    public void Realloc_within_the_class_keeps_the_block_its_bytes_and_the_magazine()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        CacheOne(pool, 60, 0xEE);
        nint block = pool.Malloc(50);
        new Span<byte>((void*)block, 64).Fill(0x5A);
        int cached = pool.CachedBlocks;
        Assert.Equal(block, pool.Realloc(block, 64));
        Assert.Equal(block, pool.Realloc(block, 49));
        Assert.True(new Span<byte>((void*)block, 64).IndexOfAnyExcept((byte)0x5A) < 0, "a realloc within the class changed the block's bytes");
        Assert.Equal(cached, pool.CachedBlocks);
        Assert.Equal(BlockCheck.Live, pool.Check(block, out ulong usable));
        Assert.Equal(64UL, usable);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Theory]
    [InlineData(200)] // another class, with a cached block: the claim fails and the block taken goes back
    [InlineData(60)] // the same class
    [InlineData(500)] // another class, none cached
    public void Realloc_of_a_cached_block_is_refused_and_counted_and_the_magazine_stays_as_it_was(int size)
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint other = CacheOne(pool, 200, 0xEE);
        nint block = CacheOne(pool, 64, 0x11);
        int cached = pool.CachedBlocks;
        Assert.Equal(0, pool.Realloc(block, (nuint)size));
        Assert.Equal(cached, pool.CachedBlocks);
        Assert.Equal(other, pool.Malloc(200));
        Assert.Equal(block, pool.Malloc(64));
        PoolFixture.AssertCountsThenDelete(pool, live: 2, refused: 1);
    }

    [Fact]
    public void A_magazine_never_holds_more_than_its_capacity_after_a_realloc_out_of_a_full_class()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        int capacity = ThreadMagazine.Capacity(SizeClasses.ClassOf(1024));
        var blocks = new nint[capacity + 1];
        for (int i = 0; i < blocks.Length; i++)
            blocks[i] = pool.Malloc(1024);
        pool.GetStatistics(); // drains the refill leftovers
        for (int i = 0; i < capacity; i++)
            Assert.Equal(BlockCheck.Live, pool.Free(blocks[i]));
        Assert.Equal(capacity, CachedOfClass(pool, 1024));
        CacheOne(pool, 64, 0xEE);

        nint moved = pool.Realloc(blocks[capacity], 64);

        Assert.True(moved != 0, "realloc(1024 -> 64) failed");
        Assert.True(CachedOfClass(pool, 1024) <= capacity,
            $"the class of 1024 holds {CachedOfClass(pool, 1024)} cached blocks; its capacity is {capacity}");
        Assert.Equal(BlockCheck.NotLive, pool.Check(blocks[capacity], out _));
        PoolFixture.AssertCountsThenDelete(pool, live: 1, refused: 0);
    }

    [Fact]
    public void Realloc_past_the_small_sizes_moves_to_a_large_block_and_realloc_to_0_frees()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        // A cached block of every small class: 1025 bytes has no class, and no cached block may be taken for it.
        for (int c = 0; c < SizeClasses.Count; c++)
            CacheOne(pool, (nuint)SizeClasses.SizeOf(c), 0xEE);
        nint block = pool.Malloc(1024);
        new Span<byte>((void*)block, 1024).Fill(0x33);
        nint large = pool.Realloc(block, 1025);
        Assert.True(large != 0, "realloc(1024 -> 1025) failed");
        Assert.Equal(BlockCheck.Live, pool.Check(large, out ulong usable));
        Assert.True(usable >= 1025, $"realloc to 1025 bytes gave a block of {usable} usable bytes");
        Assert.True(new Span<byte>((void*)large, 1024).IndexOfAnyExcept((byte)0x33) < 0, "the moved bytes differ");
        nint small = pool.Malloc(16);
        Assert.Equal(0, pool.Realloc(small, 0));
        Assert.Equal(BlockCheck.NotLive, pool.Check(small, out _));
        PoolFixture.AssertCountsThenDelete(pool, live: 1, refused: 0);
    }

    [Fact]
    public void An_impossible_size_fails_and_the_block_stays_live_and_intact()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint block = pool.Malloc(64);
        new Span<byte>((void*)block, 64).Fill(0x44);
        Assert.Equal(0, pool.Realloc(block, nuint.MaxValue));
        Assert.Equal(BlockCheck.Live, pool.Check(block, out _));
        Assert.True(new Span<byte>((void*)block, 64).IndexOfAnyExcept((byte)0x44) < 0, "a failed realloc changed the block");
        PoolFixture.AssertCountsThenDelete(pool, live: 1, refused: 0, failed: 1);
    }

    [Theory]
    [InlineData(64)] // the same class
    [InlineData(200)] // another class, with a cached block
    public void A_pool_that_met_damage_refuses_a_realloc_even_from_the_magazine(int size)
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        CacheOne(pool, 200, 0xEE);
        nint block = pool.Malloc(64);
        nint victim = pool.Malloc(1000);
        Slab(pool, SlabOf(pool, victim))->Magic ^= 1;
        Assert.Equal(BlockCheck.Corrupt, pool.Free(victim));
        Assert.Equal(0, pool.Realloc(block, (nuint)size));
        Assert.Equal(BlockCheck.Live, pool.Check(block, out _));
        Assert.Equal(B_OK, pool.Delete());
    }

    [Theory]
    [MemberData(nameof(MagazineFacts.ForeignPointers), MemberType = typeof(MagazineFacts))]
    public void Every_pointer_the_fast_realloc_cannot_take_gets_the_answer_of_an_uncached_pool(string what)
    {
        foreach (nuint size in new nuint[] { 64, 200 })
        {
            (nint cached, long cachedRefused) = ReallocForeign(PoolFixture.NewCachingPool(), what, size);
            (nint uncached, long uncachedRefused) = ReallocForeign(PoolFixture.NewPool(), what, size);
            Assert.True(cached == 0 && uncached == 0, $"realloc({what}, {size}): expected NULL from both pools; actual 0x{cached:x} cached, 0x{uncached:x} uncached");
            Assert.True(cachedRefused == 1 && uncachedRefused == 1,
                $"realloc({what}, {size}): expected 1 refused call in both pools; actual {cachedRefused} cached, {uncachedRefused} uncached");
        }
    }

    private static (nint Result, long Refused) ReallocForeign(PoolAllocator pool, string what, nuint size)
    {
        nint obj = pool.Malloc(64);
        nint large = pool.Malloc(8192);
        pool.Free(pool.Malloc(64)); // binds the thread's magazine
        pool.Free(pool.Malloc(200)); // and caches a block of the other class
        nint pointer = MagazineFacts.ForeignPointer(pool, what, obj, large);
        long before = pool.GetStatistics().RefusedFrees;
        pool.Free(pool.Malloc(200)); // the drain emptied the magazine: cache a block of the other class again
        nint result = pool.Realloc(pointer, size);
        long refused = pool.GetStatistics().RefusedFrees - before;
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
        return (result, refused);
    }
}
