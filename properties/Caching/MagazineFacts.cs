using AreaMalloc.Areas;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;
using static AreaMalloc.Properties.Support.Forge;
using AreaMalloc.Caching;
using AreaMalloc.Format;
using AreaMalloc.Idiomatic;
using AreaMalloc.BeModule;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Caching;

/// <summary>
/// The laws of per-thread magazines (<see cref="PoolCaching.ThreadMagazines"/>) on one thread: a freed small block waits
/// in the thread's magazine and is free in every observable way (statistics, Check, a second free, realloc), the
/// operations that look at the whole pool see it back in its slab, and every pointer the fast path cannot take gets
/// the answer an uncached pool gives.
/// </summary>
public sealed unsafe class MagazineFacts
{
    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public void A_freed_small_block_waits_in_the_magazine_and_is_the_next_block_of_its_class(int size)
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        Assert.Equal(PoolCaching.ThreadMagazines, pool.Caching);
        nint block = pool.Malloc((nuint)size);
        int refill = ThreadMagazine.Capacity(SizeClasses.ClassOf((nuint)size)) / 2;
        Assert.True(pool.CachedBlocks == refill - 1,
            $"the first malloc of a class refills half the magazine and takes one: expected {refill - 1} cached; actual {pool.CachedBlocks}");
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.Equal(refill, pool.CachedBlocks);
        Assert.Equal(BlockCheck.NotLive, pool.Check(block, out _));
        Assert.Equal(block, pool.Malloc((nuint)size));
        Assert.Equal(refill - 1, pool.CachedBlocks);
        Assert.Equal(BlockCheck.Live, pool.Check(block, out ulong usable));
        Assert.Equal((ulong)size, usable);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_cached_block_whose_slab_header_was_damaged_stays_cached_when_the_magazines_drain()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint keep = pool.Malloc(64);
        nint block = pool.Malloc(64);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        int cached = pool.CachedBlocks;
        Slab(pool, SlabOf(pool, block))->Magic ^= 1;
        PoolStatistics stats = pool.GetStatistics(); // the drain meets the damage at the first block it gives back
        Assert.Equal(DamageKind.SlabHeader, stats.FirstDamage?.Kind);
        Assert.Equal(1L, stats.CorruptionsDetected);
        Assert.Equal(cached, pool.CachedBlocks);
        Assert.Equal(0, pool.Malloc(64));
        Assert.NotEqual(keep, block);
        Assert.Equal(B_OK, pool.Delete());
    }

    [SpecRow("stats-drain-magazines")]
    [Fact]
    public void Statistics_and_the_walker_see_cached_blocks_as_free_and_give_them_back_to_their_slabs()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        var blocks = new nint[10];
        for (int i = 0; i < blocks.Length; i++)
            blocks[i] = pool.Malloc(100);
        for (int i = 0; i < 5; i++)
            Assert.Equal(BlockCheck.Live, pool.Free(blocks[i]));
        Assert.True(pool.CachedBlocks >= 5, $"expected at least the 5 freed blocks cached; actual: {pool.CachedBlocks}");
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(5L, stats.LiveBlocks);
        Assert.Equal(5UL * 112, stats.BytesInUse);
        Assert.Equal(0, pool.CachedBlocks);
        Assert.Equal(BlockCheck.Live, pool.Free(blocks[5]));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.CachedBlocks);
        Assert.Equal(4L, pool.GetStatistics().LiveBlocks);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_second_free_of_a_cached_block_is_refused_and_counted_and_the_block_is_handed_out_once()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint block = pool.Malloc(48);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.Equal(BlockCheck.NotLive, pool.Free(block));
        Assert.Equal(0, pool.Realloc(block, 200));
        nint first = pool.Malloc(48), second = pool.Malloc(48);
        Assert.NotEqual(first, second);
        Assert.True(first == block || second == block, "the freed block was not reused by the next two mallocs of its class");
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(2L, stats.RefusedFrees);
        Assert.Equal(2L, stats.LiveBlocks);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Theory]
    [InlineData(16, 64)]
    [InlineData(256, 64)]
    [InlineData(320, 51)]
    [InlineData(512, 32)]
    [InlineData(1024, 16)]
    public void A_magazine_holds_about_16_KiB_per_class_and_16_to_64_blocks(int size, int capacity) =>
        Assert.Equal(capacity, ThreadMagazine.Capacity(SizeClasses.ClassOf((nuint)size)));

    [Fact]
    public void A_full_class_flushes_its_oldest_half_to_the_slabs()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        int capacity = ThreadMagazine.Capacity(0);
        var blocks = new nint[capacity + 1];
        for (int i = 0; i < blocks.Length; i++)
            blocks[i] = pool.Malloc(16);
        pool.GetStatistics(); // drains the refill leftovers
        for (int i = 0; i < capacity; i++)
            Assert.Equal(BlockCheck.Live, pool.Free(blocks[i]));
        Assert.Equal(capacity, pool.CachedBlocks);
        Assert.Equal(BlockCheck.Live, pool.Free(blocks[capacity]));
        Assert.Equal(capacity - capacity / 2 + 1, pool.CachedBlocks);
        // The newest stay cached: the last freed block is the next one handed out.
        Assert.Equal(blocks[capacity], pool.Malloc(16));
        Assert.Equal(blocks[capacity - 1], pool.Malloc(16));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void Trim_after_every_block_was_freed_gives_the_pristine_pool_back()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        PoolStatistics pristine = pool.GetStatistics();
        var blocks = new List<nint>();
        foreach (nuint size in new nuint[] { 16, 64, 200, 512, 1000, 5000 })
            for (int i = 0; i < 40; i++)
                blocks.Add(pool.Malloc(size));
        foreach (nint block in blocks)
            Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.True(pool.CachedBlocks > 0, "no freed block waited in the magazine");
        pool.Trim();
        Assert.Equal(0, pool.CachedBlocks);
        PoolStatistics after = pool.GetStatistics();
        Assert.Equal((0L, 0UL, 0, 0), (after.LiveBlocks, after.BytesInUse, after.SlabCount, after.SpareSlabs));
        Assert.Equal(pristine.LargeFreeBytes, after.LargeFreeBytes);
        Assert.Equal(pristine.LargestFreeBlock, after.LargestFreeBlock);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void An_allocation_that_finds_no_room_first_gives_every_cached_block_back()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(256 * 1024);
        var blocks = new List<nint>();
        for (nint block; (block = pool.Malloc(1024)) != 0;)
            blocks.Add(block);
        Assert.True(blocks.Count > 100, $"only {blocks.Count} blocks of 1 KiB fit a 256 KiB pool");
        foreach (nint block in blocks)
            Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.True(pool.CachedBlocks > 0, "no freed block waited in the magazine");
        // The cached blocks hold a slab: only after they go back can the whole heap be one block again.
        nint whole = pool.Malloc((nuint)pool.MaxSingleRequest);
        Assert.True(whole != 0, $"malloc({pool.MaxSingleRequest}) of an empty pool failed: the magazines were not drained");
        Assert.Equal(0, pool.CachedBlocks);
        Assert.Equal(BlockCheck.Live, pool.Free(whole));
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void Calloc_zeroes_a_block_that_was_cached_dirty()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint keep = pool.Malloc(64); // keeps the slab from emptying
        nint block = pool.Malloc(64);
        new Span<byte>((void*)block, 64).Fill(0xFF);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.Equal(1L, pool.GetStatistics().LiveBlocks); // drains: the block, freed last, heads its slab's free list
        nint zeroed = pool.Calloc(4, 16);
        Assert.Equal(block, zeroed);
        Assert.True(new Span<byte>((void*)zeroed, 64).IndexOfAnyExcept((byte)0) < 0, "calloc returned dirty bytes");
        Assert.NotEqual(keep, zeroed);
        Assert.Equal(B_OK, pool.Delete());
    }

    public static TheoryData<string> ForeignPointers => ["below the pool", "past the heap", "misaligned", "inside an object", "a slab's header", "a large block freed twice", "a slab object freed twice"];

    [Theory]
    [MemberData(nameof(ForeignPointers))]
    public void Every_pointer_the_fast_path_cannot_take_gets_the_answer_of_an_uncached_pool(string what)
    {
        BlockCheck cached = FreeForeign(PoolFixture.NewCachingPool(), what, out long cachedRefused);
        BlockCheck uncached = FreeForeign(PoolFixture.NewPool(), what, out long uncachedRefused);
        Assert.True(cached == uncached && cached != BlockCheck.Live, $"free of {what}: expected {uncached} as without caching; actual {cached}");
        Assert.Equal(1L, cachedRefused);
        Assert.Equal(uncachedRefused, cachedRefused);
    }

    private static BlockCheck FreeForeign(PoolAllocator pool, string what, out long refused)
    {
        nint obj = pool.Malloc(64);
        nint large = pool.Malloc(8192);
        pool.Free(pool.Malloc(64)); // binds the thread's magazine
        nint pointer = ForeignPointer(pool, what, obj, large);
        long before = pool.GetStatistics().RefusedFrees;
        BlockCheck check = pool.Free(pointer);
        refused = pool.GetStatistics().RefusedFrees - before;
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
        return check;
    }

    /// <summary>The pointer of <see cref="ForeignPointers"/> named <paramref name="what"/>, made from a live 64-byte object and a live large block of the pool.</summary>
    internal static nint ForeignPointer(PoolAllocator pool, string what, nint obj, nint large) =>
        what switch
        {
            "below the pool" => pool.Base - 4096,
            "past the heap" => pool.Base + (nint)pool.Layout.HeapEnd + 16,
            "misaligned" => obj + 8,
            "inside an object" => obj + 16, // granule-aligned, but not an object start
            "a slab's header" => (nint)(pool.Base + (nint)((ulong)SlabOf(pool, obj) << 4) + 16),
            "a large block freed twice" => FreedOnce(pool, large),
            _ => FreedOnce(pool, obj),
        };

    private static nint FreedOnce(PoolAllocator pool, nint block)
    {
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        return block;
    }

    [SpecRow("hard-slab-magic")]
    [Fact]
    public void A_slab_header_failing_its_magic_is_refused_as_corrupt_and_stops_the_cached_mallocs()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint victim = pool.Malloc(64);
        nint cached = pool.Malloc(256);
        Assert.Equal(BlockCheck.Live, pool.Free(cached));
        Slab(pool, SlabOf(pool, victim))->Magic ^= 1;
        Assert.Equal(BlockCheck.Corrupt, pool.Free(victim));
        Assert.Equal(DamageKind.SlabHeader, pool.Damage?.Kind);
        Assert.True(pool.CachedBlocks > 0, "no block waited in the magazine");
        Assert.Equal(0, pool.Malloc(256)); // a damaged pool hands nothing out, not even a cached block
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(1L, stats.CorruptionsDetected); // and counts the damage once, however often it is asked
        Assert.Equal(1L, stats.RefusedFrees);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_deleted_safe_deletion_pool_refuses_calls_from_a_thread_with_a_magazine()
    {
        PoolAllocator? pool = PoolAllocator.Create(new AreaRegistry(new LinuxAreaBackend()), B_ANY_ADDRESS, 1 << 20, B_NO_LOCK,
            B_READ_AREA | B_WRITE_AREA, out _, new PoolSettings { Behavior = PoolBehavior.SafeDeletion, Caching = PoolCaching.ThreadMagazines });
        Assert.NotNull(pool);
        nint live = pool!.Malloc(64);
        Assert.Equal(BlockCheck.Live, pool.Free(pool.Malloc(64)));
        Assert.True(pool.CachedBlocks > 0, "no block waited in the magazine");
        Assert.Equal(B_OK, pool.Delete());
        Assert.Equal(0, pool.Malloc(64));
        Assert.Equal(0, pool.Realloc(live, 60)); // the same class: the stopped magazine does not answer
        Assert.Equal(BlockCheck.PoolDeleted, pool.Free(live));
        Assert.Equal(B_ERROR, pool.Delete());
    }

    [SpecRow("settings-caching")]
    [Fact]
    public void Poisoned_pools_never_cache_and_an_unknown_caching_flag_is_refused()
    {
        var areas = new AreaRegistry(new LinuxAreaBackend());
        PoolAllocator? poisoned = PoolAllocator.Create(areas, B_ANY_ADDRESS, 1 << 20, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status,
            new PoolSettings { Hardening = PoolHardening.PoisonFreedMemory, Caching = PoolCaching.ThreadMagazines });
        Assert.Equal(B_OK, status);
        Assert.Equal(PoolCaching.None, poisoned!.Caching);
        nint block = poisoned.Malloc(64);
        Assert.Equal(BlockCheck.Live, poisoned.Free(block));
        Assert.Equal(0, poisoned.CachedBlocks);
        Assert.Equal(B_OK, poisoned.Delete());

        PoolAllocator? refused = PoolAllocator.Create(areas, B_ANY_ADDRESS, 1 << 20, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out status,
            new PoolSettings { Caching = (PoolCaching)2 });
        Assert.True(refused is null && status == B_BAD_VALUE, $"caching flag 2: expected NULL and B_BAD_VALUE; actual {(refused is null ? "NULL" : "a pool")} and {status}");
        Assert.Equal(0, areas.Count);
    }

    [SpecRow("settings-caching")]
    [Fact]
    public void The_options_and_the_module_loader_pass_the_caching_to_their_pools()
    {
        using (AreaPool pool = AreaPool.Create(1 << 20, new PoolOptions { Settings = new PoolSettings { Caching = PoolCaching.ThreadMagazines } }))
            Assert.Equal(PoolCaching.ThreadMagazines, pool.Allocator.Caching);
        using (AreaPool pool = AreaPool.Create(1 << 20))
            Assert.Equal(PoolCaching.None, pool.Allocator.Caching);

        var loader = new ModuleLoader(new AreaRegistry(new LinuxAreaBackend()), new PoolSettings { Caching = PoolCaching.ThreadMagazines });
        Assert.Equal(B_OK, loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
        Assert.Equal(PoolCaching.ThreadMagazines, module!.PoolSettings.Caching);
        void* id = module.CreatePool(B_ANY_ADDRESS, 1 << 20, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.Equal(PoolCaching.ThreadMagazines, module.FindPool(id)!.Caching);
        Assert.Equal(B_OK, loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
    }
}
