using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Properties.Support.Forge;
using AreaMalloc.Format;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Hardening;

/// <summary>
/// Check words on large-block headers: every header the allocator writes is sealed with the pool's key, and every
/// header it follows (the block freed, its neighbours, free-list candidates, the block after a resize, the sentinel)
/// is verified first. One fact per place a header is verified: each shows the operation refuses (Corrupt or NULL),
/// changes nothing, and records the damage; headers "forged" with the pool's own key stand for an allocator bug or a
/// stale copy of a header, which the agreement checks between neighbours still catch.
/// </summary>
public unsafe class CheckWordFacts : IDisposable
{
    private readonly PoolAllocator _pool = NewPool();

    public void Dispose()
    {
        _pool.Delete();
        GC.SuppressFinalize(this);
    }

    private void Damage(ulong header) => Header(_pool, header)->Check ^= 0x0100;

    private static string Hex(ulong offset) => "0x" + offset.ToString("x", null);

    [Fact]
    public void Every_header_is_sealed_after_mixed_work_and_the_keys_differ_between_pools()
    {
        using var other = new PoolOwner(NewPool());
        foreach (PoolAllocator pool in new[] { _pool, other.Pool })
        {
            var blocks = new List<nint>();
            for (int i = 0; i < 40; i++)
                blocks.Add(pool.Malloc((nuint)(i % 5 == 0 ? 3000 + 100 * i : 16 * i)));
            for (int i = 0; i < blocks.Count; i += 3)
                pool.Free(blocks[i]);
            Assert.NotEqual(0, pool.Realloc(blocks[1], 9000));
            AssertUndamaged(pool); // the walker checks the check word of every header and the sentinel
        }
        ulong start = _pool.Layout.HeapStart;
        Assert.Equal(Header(_pool, start)->Size, Header(other.Pool, start)->Size);
        Assert.True(Header(_pool, start)->Check != Header(other.Pool, start)->Check,
            "two pools with the same first header have the same check word: the keys are not per pool");
    }

    [SpecRow("hard-boundary-tag")]
    [Fact]
    public void A_header_failing_its_check_word_is_refused_by_free_and_check_and_named_by_the_walker()
    {
        nint a = _pool.Malloc(5000);
        ulong header = HeaderOffset(_pool, a);
        Damage(header);
        AssertWalkerNames(_pool, header, "check word mismatch in the header of the block at " + Hex(header));
        Assert.Equal(BlockCheck.Corrupt, _pool.Check(a, out _));
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(a));
        Assert.Equal(0, _pool.Realloc(a, 100));
        AssertDamage(_pool, DamageKind.BlockHeader, header, "check word mismatch in the block header at " + Hex(header));
        PoolStatistics stats = _pool.GetStatistics();
        Assert.True(stats is { RefusedFrees: 2, CorruptionsDetected: 3, LiveBlocks: 1 }, $"expected 2 refused, 3 met, 1 live; actual {stats}");
    }

    [Fact]
    public void Free_verifies_the_successor()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000);
        Damage(HeaderOffset(_pool, b));
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(a));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, b), "check word mismatch");
        Assert.Equal(BlockCheck.Live, _pool.Check(a, out _));
    }

    [Fact]
    public void Free_verifies_a_free_predecessor()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000);
        _pool.Malloc(7000);
        _pool.Free(a);
        Damage(HeaderOffset(_pool, a));
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(b));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, a), "check word mismatch");
    }

    [Fact]
    public void Free_verifies_the_block_after_a_free_successor()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000), c = _pool.Malloc(7000);
        _pool.Free(b);
        Damage(HeaderOffset(_pool, c));
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(a));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, c), "check word mismatch");
    }

    [Fact]
    public void Free_verifies_the_sentinel()
    {
        nint a = _pool.Malloc(5000);
        nint last = _pool.Malloc((nuint)_pool.GetStatistics().LargestFreeBlock); // takes the heap's tail: its successor is the sentinel
        Assert.NotEqual(0, last);
        ulong sentinel = _pool.Layout.HeapEnd;
        Damage(sentinel);
        AssertWalkerNames(_pool, sentinel, "check word mismatch in the sentinel's header");
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(last));
        AssertDamage(_pool, DamageKind.BlockHeader, sentinel, "check word mismatch");
        Assert.Equal(BlockCheck.Live, _pool.Free(a));
    }

    [Fact]
    public void Malloc_verifies_the_free_block_it_would_take()
    {
        ulong tail = _pool.Layout.HeapStart;
        Damage(tail); // the pool's one free block
        Assert.Equal(0, _pool.Malloc(5000));
        AssertDamage(_pool, DamageKind.BlockHeader, tail, "check word mismatch");
        Assert.Equal(1, _pool.GetStatistics().FailedAllocations);
    }

    [Fact]
    public void A_new_slab_verifies_the_free_block_it_is_cut_from()
    {
        ulong tail = _pool.Layout.HeapStart;
        Damage(tail);
        Assert.Equal(0, _pool.Malloc(64));
        AssertDamage(_pool, DamageKind.BlockHeader, tail, "check word mismatch");
        Assert.Equal(0, _pool.GetStatistics().SlabCount);
    }

    [Fact]
    public void Malloc_verifies_the_block_after_the_free_block_it_would_take()
    {
        _pool.Malloc(5000);
        nint b = _pool.Malloc(4080);
        nint c = _pool.Malloc(7000);
        _pool.Free(b);
        Damage(HeaderOffset(_pool, c));
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, c), "check word mismatch");
    }

    [Fact]
    public void The_first_fit_scan_verifies_every_candidate()
    {
        _pool.Malloc(5000);
        nint b = _pool.Malloc(4160); // a 4176-byte block: below the rounding of a 4176-byte request
        Assert.NotEqual(0, _pool.Malloc((nuint)_pool.GetStatistics().LargestFreeBlock)); // no other free block
        _pool.Free(b);
        nint again = _pool.Malloc(4160); // found only by the scan
        Assert.Equal(b, again);
        _pool.Free(again);
        Damage(HeaderOffset(_pool, b));
        Assert.Equal(0, _pool.Malloc(4160));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, b), "check word mismatch");
    }

    [Fact]
    public void Statistics_verify_the_free_blocks_they_measure()
    {
        ulong tail = _pool.Layout.HeapStart;
        Damage(tail);
        PoolStatistics stats = _pool.GetStatistics();
        Assert.True(stats.LargestFreeBlock == 0 && stats.FirstDamage?.Offset == tail,
            $"expected the damaged block not to be measured and the damage recorded; actual largest {stats.LargestFreeBlock}, damage {stats.FirstDamage}");
    }

    [Fact]
    public void A_grow_in_place_verifies_the_free_block_it_absorbs()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000);
        _pool.Malloc(7000);
        _pool.Free(b);
        new Span<byte>((void*)a, 5000).Fill(0x5A);
        Damage(HeaderOffset(_pool, b));
        Assert.Equal(0, _pool.Realloc(a, 8000));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, b), "check word mismatch");
        Assert.True(new ReadOnlySpan<byte>((void*)a, 5000).IndexOfAnyExcept((byte)0x5A) < 0, "the old block changed");
        Assert.Equal(1, _pool.GetStatistics().FailedAllocations);
    }

    [Fact]
    public void A_shrink_in_place_verifies_the_successor()
    {
        nint a = _pool.Malloc(9000), b = _pool.Malloc(6000);
        Damage(HeaderOffset(_pool, b));
        Assert.Equal(0, _pool.Realloc(a, 2000));
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, b), "check word mismatch");
        Assert.Equal(BlockCheck.Live, _pool.Check(a, out ulong usable));
        Assert.Equal(9008UL, usable);
    }

    [Fact]
    public void A_move_verifies_that_the_old_block_can_be_freed_before_allocating()
    {
        nint p = _pool.Malloc(5000), a = _pool.Malloc(6000);
        _pool.Malloc(7000);
        _pool.Free(p); // a's free predecessor
        Damage(HeaderOffset(_pool, p));
        Assert.Equal(0, _pool.Realloc(a, 20_000)); // cannot grow in place (its successor is used): it would move
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, p), "check word mismatch");
        PoolStatistics stats = _pool.GetStatistics();
        Assert.True(stats is { LiveBlocks: 2, FailedAllocations: 1 }, $"expected the old block alone live and one failure; actual {stats}");
    }

    [Fact]
    public void Realloc_to_zero_of_a_block_next_to_damage_is_refused_and_the_block_stays()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000);
        Damage(HeaderOffset(_pool, b));
        Assert.Equal(0, _pool.Realloc(a, 0));
        Assert.Equal(BlockCheck.Live, _pool.Check(a, out _));
        Assert.Equal(1, _pool.GetStatistics().RefusedFrees);
    }

    [SpecRow("op-free-damaged")]
    [Fact]
    public void A_damaged_pool_refuses_allocations_but_frees_blocks_that_check_out()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000), small = _pool.Malloc(100);
        nint c = _pool.Malloc(7000);
        Damage(HeaderOffset(_pool, b));
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(b));
        AssertRefusesAllocations(_pool, c);
        Assert.Equal(BlockCheck.Live, _pool.Free(small));
        Assert.Equal(0, _pool.Realloc(c, 0)); // realloc to zero frees as free does
        Assert.Equal(BlockCheck.NotLive, _pool.Check(c, out _));
        _pool.Trim();
        Assert.Equal(BlockCheck.Live, _pool.Check(a, out _));
    }

    [Fact]
    public void A_sealed_successor_that_disagrees_on_the_blocks_size_is_refused()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000);
        ulong header = HeaderOffset(_pool, b);
        Header(_pool, header)->PrevSize++;
        Reseal(_pool, header);
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(a));
        AssertDamage(_pool, DamageKind.BlockHeader, header, "records a previous size of 5040 bytes, but the block before it at " + Hex(HeaderOffset(_pool, a)) + " has 5024");
        AssertWalkerNames(_pool, header, "records previous size");
    }

    [Fact]
    public void A_live_block_whose_sealed_header_says_free_is_refused()
    {
        nint a = _pool.Malloc(5000);
        ulong header = HeaderOffset(_pool, a);
        Header(_pool, header)->Flags |= BlockHeader.FreeFlag;
        Reseal(_pool, header);
        Assert.Equal(BlockCheck.Corrupt, _pool.Check(a, out _));
        AssertDamage(_pool, DamageKind.BlockHeader, header, "belongs to a live block but is marked free or a slab");
    }

    [Fact]
    public void A_live_block_whose_sealed_header_says_slab_is_refused()
    {
        nint a = _pool.Malloc(5000);
        ulong header = HeaderOffset(_pool, a);
        Header(_pool, header)->Flags |= BlockHeader.SlabFlag;
        Reseal(_pool, header);
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(a));
        AssertDamage(_pool, DamageKind.BlockHeader, header, "marked free or a slab");
    }

    [Fact]
    public void A_free_block_whose_sealed_header_says_used_is_refused_as_a_free_list_node()
    {
        _pool.Malloc(5000);
        nint b = _pool.Malloc(4080);
        _pool.Malloc(7000);
        _pool.Free(b);
        ulong header = HeaderOffset(_pool, b);
        Header(_pool, header)->Flags &= ~BlockHeader.FreeFlag;
        Reseal(_pool, header);
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.BlockHeader, header, "is followed as a free block but is not free");
    }

    [Fact]
    public void A_previous_size_reaching_outside_the_heap_is_refused()
    {
        nint a = _pool.Malloc(5000); // the heap's first block
        ulong header = HeaderOffset(_pool, a);
        Header(_pool, header)->Flags |= BlockHeader.PrevFreeFlag;
        Header(_pool, header)->PrevSize = 100;
        Reseal(_pool, header);
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(a));
        AssertDamage(_pool, DamageKind.BlockHeader, header - 1600, "which is not a header position of the heap");
    }

    [Fact]
    public void A_slab_whose_sealed_block_header_is_not_marked_a_slab_is_not_released()
    {
        nint obj = _pool.Malloc(64);
        _pool.Free(obj); // leaves the class's spare slab
        ulong header = (ulong)SlabOf(_pool, obj) << 4;
        Header(_pool, header)->Flags &= ~BlockHeader.SlabFlag;
        Reseal(_pool, header);
        _pool.Trim();
        Assert.Equal(1, _pool.GetStatistics().SpareSlabs);
        AssertDamage(_pool, DamageKind.BlockHeader, header, "belongs to a slab but is not marked a used slab");
    }

    [Fact]
    public void Trim_leaves_a_spare_whose_slab_header_is_damaged()
    {
        nint obj = _pool.Malloc(64);
        _pool.Free(obj);
        uint slab = SlabOf(_pool, obj);
        Slab(_pool, slab)->Magic ^= 1;
        _pool.Trim();
        PoolStatistics stats = _pool.GetStatistics();
        Assert.True(stats is { SpareSlabs: 1, SlabCount: 1 }, $"expected the damaged spare to stay; actual {stats.SpareSlabs} spare of {stats.SlabCount}");
        AssertDamage(_pool, DamageKind.SlabHeader, (ulong)slab << 4, "fails its keyed magic");
    }

    [Fact]
    public void Releasing_spares_releases_and_counts_only_the_intact_ones()
    {
        foreach (nuint size in new nuint[] { 64, 128, 256 })
            _pool.Free(_pool.Malloc(size)); // three classes, one spare each
        nint damaged = _pool.Malloc(128);
        _pool.Free(damaged);
        Slab(_pool, SlabOf(_pool, damaged))->Magic ^= 1;
        Assert.Equal(2, _pool.Slabs.ReleaseSpares()); // the pool is not shared: no lock is needed
        Assert.Equal(1, _pool.GetStatistics().SpareSlabs);
    }

    [Fact]
    public void Trim_leaves_a_spare_whose_neighbour_is_damaged()
    {
        nint obj = _pool.Malloc(64);
        nint after = _pool.Malloc(5000); // the block right after the slab
        _pool.Free(obj);
        Assert.Equal(1, _pool.GetStatistics().SpareSlabs);
        Damage(HeaderOffset(_pool, after));
        _pool.Trim();
        Assert.Equal(1, _pool.GetStatistics().SpareSlabs);
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, after), "check word mismatch");
    }

    [Fact]
    public void Freeing_the_object_that_empties_a_slab_to_be_released_verifies_the_slabs_neighbours()
    {
        int c = SizeClasses.ClassOf(64);
        var first = new List<nint>();
        for (int i = 0; i < SizeClasses.ObjectsPerSlab(c); i++)
            first.Add(_pool.Malloc(64)); // fills the first slab
        nint lone = _pool.Malloc(64); // the only object of a second slab
        nint after = _pool.Malloc(5000);
        Assert.True(SlabOf(_pool, lone) != SlabOf(_pool, first[0]), "expected a second slab");
        Assert.Equal(BlockCheck.Live, _pool.Free(first[0])); // the first slab is partial again, at the head of the list
        Damage(HeaderOffset(_pool, after));

        Assert.Equal(BlockCheck.Live, _pool.Free(first[1])); // does not empty its slab: no neighbour is followed
        Assert.Null(_pool.Damage);
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(lone)); // empties a slab that is not the class's only partial one: it would be released
        AssertDamage(_pool, DamageKind.BlockHeader, HeaderOffset(_pool, after), "check word mismatch");
        Assert.Equal(BlockCheck.Live, _pool.Check(lone, out _));
        Assert.Equal(2, _pool.GetStatistics().SlabsPerClass[c]);
    }

    [Fact]
    public void Freeing_the_object_that_empties_the_classs_only_slab_keeps_it_as_spare_whatever_its_neighbours()
    {
        nint obj = _pool.Malloc(64);
        nint after = _pool.Malloc(5000);
        Damage(HeaderOffset(_pool, after));
        Assert.Equal(BlockCheck.Live, _pool.Free(obj));
        Assert.Null(_pool.Damage);
        Assert.Equal(1, _pool.GetStatistics().SpareSlabs);
    }

    [Fact]
    public void Freeing_a_large_block_coalesces_and_reseals_so_the_pool_stays_intact()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000), c = _pool.Malloc(7000);
        _pool.Free(a);
        _pool.Free(c);
        _pool.Free(b); // merges with both
        AssertUndamaged(_pool);
        Assert.Equal(1, _pool.CheckIntegrity().FreeBlocks);
    }

    private sealed class PoolOwner(PoolAllocator pool) : IDisposable
    {
        public PoolAllocator Pool { get; } = pool;

        public void Dispose() => Pool.Delete();
    }
}
