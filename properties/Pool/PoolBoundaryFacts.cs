using AreaMalloc.Areas;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>
/// The pool's edges: pointers at the exact ends of its heap, live blocks whose boundary tag says free, slab or
/// nothing, the two delete behaviors, spares given back for a small request, a slab object resized within its
/// class, the layout's size limits, and create_pool's arguments.
/// </summary>
public sealed unsafe class PoolBoundaryFacts
{
    // ---- pointers at the ends of the heap ----

    [Fact]
    public void The_first_byte_of_the_heap_is_inside_the_pool_but_not_a_block()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 16);
        nint start = pool.Base + (nint)pool.Layout.HeapStart;
        Assert.Equal(BlockCheck.NotLive, pool.Check(start, out _));
        Assert.Equal(BlockCheck.NotLive, pool.Free(start));
        Assert.Equal(0, pool.Realloc(start, 10));
        Assert.Equal(2, pool.GetStatistics().RefusedFrees);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void The_sentinel_at_the_end_of_the_heap_is_outside_the_pool()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 16);
        nint end = pool.Base + (nint)pool.Layout.HeapEnd;
        Assert.Equal(BlockCheck.OutsidePool, pool.Check(end, out _));
        Assert.Equal(BlockCheck.OutsidePool, pool.Free(end));
        Assert.Equal(0, pool.Realloc(end, 10));
        Assert.Equal(2, pool.GetStatistics().RefusedFrees);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    // ---- live blocks with a damaged tag ----

    [SpecRow("misuse-damaged-tag")]
    [Theory]
    [InlineData("no tag")]
    [InlineData("free flag")]
    [InlineData("slab flag")]
    public void A_live_large_block_whose_tag_is_damaged_is_refused_as_corrupt(string damage)
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 16);
        nint block = pool.Malloc(5000);
        nint after = pool.Malloc(5000);
        var header = (BlockHeader*)(block - 16);
        uint intact = header->Flags;
        header->Flags = damage switch
        {
            "no tag" => intact & ~BlockHeader.TagMask,
            "free flag" => intact | BlockHeader.FreeFlag,
            _ => intact | BlockHeader.SlabFlag,
        };
        Assert.Equal(BlockCheck.Corrupt, pool.Check(block, out ulong usable));
        Assert.Equal(0UL, usable);
        Assert.Equal(BlockCheck.Corrupt, pool.Free(block));
        Assert.Equal(0, pool.Realloc(block, 100));
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(2, stats.RefusedFrees);
        Assert.Equal(2, stats.LiveBlocks);
        header->Flags = intact;
        PoolFixture.AssertIntact(pool);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.Equal(BlockCheck.Live, pool.Free(after));
        Assert.Equal(0, pool.Delete());
    }

    // ---- delete behaviors ----

    [SpecRow("misuse-deleted-pool")]
    [Fact]
    public void After_a_safe_delete_every_call_fails_cleanly()
    {
        var areas = new AreaRegistry(new LinuxAreaBackend());
        PoolAllocator pool = PoolAllocator.Create(areas, B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out _, new PoolSettings { Behavior = PoolBehavior.SafeDeletion })!;
        nint block = pool.Malloc(100);
        Assert.Equal(B_OK, pool.Delete());
        Assert.True(pool.IsDeleted);
        Assert.Equal(0, areas.Count);
        Assert.Equal(0, pool.Malloc(16));
        Assert.Equal(0, pool.Calloc(2, 16));
        Assert.Equal(0, pool.Realloc(block, 200));
        Assert.Equal(0, pool.Realloc(0, 200));
        Assert.Equal(BlockCheck.PoolDeleted, pool.Free(block));
        Assert.Equal(BlockCheck.Null, pool.Free(0));
        Assert.Equal(BlockCheck.PoolDeleted, pool.Check(block, out ulong usable));
        Assert.Equal(0UL, usable);
        pool.Trim();
        Assert.Throws<ObjectDisposedException>(() => pool.GetStatistics());
        Assert.Throws<ObjectDisposedException>(() => pool.CheckIntegrity());
        Assert.Equal(B_ERROR, pool.Delete());
    }

    [Fact]
    public void A_Be_Book_pool_does_not_guard_calls_made_after_its_delete()
    {
        // The Be Book leaves such calls undefined; this pool does not close itself, so they run on the area's memory.
        // The backend keeps that memory mapped, so the test can watch it happen.
        var backend = new KeepMappedBackend();
        var areas = new AreaRegistry(backend);
        PoolAllocator pool = PoolAllocator.Create(areas, B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out _)!;
        Assert.Equal(PoolBehavior.BeBook, pool.Behavior);
        Assert.Equal(B_OK, pool.Delete());
        Assert.Equal(0, areas.Count);
        Assert.NotEqual(0, pool.Malloc(16));
        backend.ReallyUnmap();
    }

    // ---- small requests and spares ----

    [Fact]
    public void A_small_request_of_a_class_without_a_slab_gets_one_by_releasing_the_spares_that_fill_the_heap()
    {
        PoolAllocator pool = PoolFixture.NewPool(12 * 4096);
        int c = 0;
        while (pool.GetStatistics().LargestFreeBlock >= 2 * 4096 + LargeBlockHeap.MinBlockSize)
        {
            pool.Free(pool.Malloc((nuint)SizeClasses.SizeOf(c))); // leaves the class's slab as its spare
            c++;
        }

        Assert.True(pool.GetStatistics().SpareSlabs == c && c > 0, $"{pool.GetStatistics().SpareSlabs} spares after {c} classes");
        // What the spares left is taken by live large blocks, so no slab can be carved without releasing them.
        var taken = new List<nint>();
        for (ulong largest; (largest = pool.GetStatistics().LargestFreeBlock) > (ulong)SizeClasses.MaxSmallSize;)
            taken.Add(pool.Malloc((nuint)largest));
        Assert.DoesNotContain((nint)0, taken);
        Assert.True(pool.GetStatistics().SpareSlabs == c, $"{pool.GetStatistics().SpareSlabs} spares after the large blocks, expected {c}");
        int wanted = SizeClasses.ClassOf(1000);
        Assert.True(wanted >= c, $"the pool is too large for this fact: {c} spares reach the class of the request");
        nint block = pool.Malloc(1000);
        Assert.NotEqual(0, block);
        pool.Check(block, out ulong usable);
        Assert.Equal((ulong)SizeClasses.SizeOf(wanted), usable); // a slab object, not a large block of 1008 bytes
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(0, stats.SpareSlabs);
        Assert.Equal(1, stats.SlabsPerClass[wanted]);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_slab_object_resized_to_the_largest_size_of_its_class_stays_in_place()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 16);
        nint block = pool.Malloc(1000);
        Assert.Equal(block, pool.Realloc(block, SizeClasses.MaxSmallSize));
        pool.Check(block, out ulong usable);
        Assert.Equal((ulong)SizeClasses.MaxSmallSize, usable);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_request_whose_block_would_exceed_the_largest_block_is_refused_without_searching_the_heap()
    {
        // LargeBlockSize: a request above MaxBlockSize - 16 has no block at all and is refused at once, keeping the
        // spares; at exactly MaxBlockSize - 16 the block is MaxBlockSize, the heap is searched in vain, and the
        // spares are given back on the way (as for any request that does not fit).
        PoolAllocator pool = PoolFixture.NewPool(1 << 16);
        pool.Free(pool.Malloc(64)); // a spare
        foreach (ulong size in new[] { TlsfMapping.MaxBlockSize - 15, TlsfMapping.MaxBlockSize, TlsfMapping.MaxBlockSize + 16 })
        {
            Assert.Equal(0, pool.Malloc((nuint)size));
            Assert.True(pool.GetStatistics().SpareSlabs == 1, $"a request of {size} bytes gave back the spare");
        }

        Assert.Equal(0, pool.Malloc(unchecked((nuint)(TlsfMapping.MaxBlockSize - 16))));
        Assert.Equal(0, pool.GetStatistics().SpareSlabs);
        Assert.Equal(4, pool.GetStatistics().FailedAllocations);
        Assert.Equal(0, pool.Delete());
    }

    // ---- layout limits and create_pool's arguments ----

    [SpecRow("pool-size")]
    [Fact]
    public void A_layout_exists_for_every_page_multiple_from_the_minimum_to_the_maximum_and_no_other_size()
    {
        Assert.Null(PoolLayout.For(0));
        Assert.Null(PoolLayout.For(4095));
        Assert.Null(PoolLayout.For(4097));
        Assert.NotNull(PoolLayout.For(PoolLayout.MinAreaSize));
        Assert.NotNull(PoolLayout.For(PoolLayout.MaxAreaSize));
        Assert.Null(PoolLayout.For(PoolLayout.MaxAreaSize + 4096));
        Assert.Equal(4096UL, PoolLayout.MinAreaSize);
    }

    [Fact]
    public void Create_pool_needs_a_registry_and_names_its_area()
    {
        Assert.Throws<ArgumentNullException>(() => PoolAllocator.Create(null!, B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out _));
        var areas = new AreaRegistry(new LinuxAreaBackend());
        PoolAllocator pool = PoolAllocator.Create(areas, B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status)!;
        Assert.Equal(B_OK, status);
        Assert.Equal(B_OK, areas.GetAreaInfo(pool.AreaId, out AreaInfo info));
        Assert.Equal("area_malloc pool", info.Name);
        Assert.Equal(pool.Base, info.Address);
        Assert.Equal(0, pool.Delete());
    }

    /// <summary>A backend that records unmaps but keeps the memory mapped until <see cref="ReallyUnmap"/>.</summary>
    private sealed class KeepMappedBackend : IAreaBackend
    {
        private readonly LinuxAreaBackend _real = new();
        private readonly List<(nint Address, nuint Size)> _kept = [];

        public int Map(in MapRequest request, out nint address) => _real.Map(request, out address);

        public int Unmap(nint address, nuint size)
        {
            _kept.Add((address, size));
            return 0;
        }

        public int Protect(nint address, nuint size, PageAccess access) => _real.Protect(address, size, access);

        public int Lock(nint address, nuint size, bool onFault) => _real.Lock(address, size, onFault);

        public void ReallyUnmap()
        {
            foreach ((nint address, nuint size) in _kept)
                Assert.Equal(0, _real.Unmap(address, size));
            _kept.Clear();
        }
    }
}
