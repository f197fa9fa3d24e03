using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Properties.Hardening.Forge;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Hardening;

/// <summary>
/// Which freed bytes an allocation checks for the poison (<see cref="PoolHardening.PoisonFreedMemory"/>): exactly the
/// bytes it hands out past the 16-byte link area of the free block. A block cut to the request hands out the request;
/// a block whose rest could not form a block of its own (under 32 bytes) is handed out whole, and its rest is checked
/// too. The rest a split leaves free is not checked then: a write there is reported when those bytes are handed out.
/// </summary>
public unsafe class PoisonCheckRangeFacts : IDisposable
{
    private readonly PoolAllocator _pool = NewPool(poison: true);

    public void Dispose()
    {
        _pool.Delete();
        GC.SuppressFinalize(this);
    }

    /// <summary>A freed large block with a usable size of <paramref name="usable"/> bytes between two live blocks (so it merges with nothing); its payload.</summary>
    private nint FreedBlockBetweenLiveOnes(nuint usable)
    {
        _pool.Malloc(5000);
        nint block = _pool.Malloc(usable);
        _pool.Malloc(7000);
        Assert.Equal(BlockCheck.Live, _pool.Free(block));
        return block;
    }

    /// <summary>
    /// A request of 4,080 bytes needs a 4,096-byte block. From a freed 4,096-byte block (usable 4,080) it takes the
    /// whole block; from a freed 4,112-byte block (usable 4,096) too, since the 16 bytes left over cannot form a block,
    /// so those 16 unrequested bytes are handed out and checked as well.
    /// </summary>
    [Theory]
    [InlineData(4080, 16)]   // the first poisoned byte, just past the link area
    [InlineData(4080, 2000)]
    [InlineData(4080, 4079)] // the last byte of the block
    [InlineData(4096, 4080)] // the first of the 16 bytes past the request
    [InlineData(4096, 4095)] // the last byte of the block
    public void A_write_into_any_byte_an_allocation_hands_out_of_a_freed_large_block_is_reported(int usable, int at)
    {
        nint block = FreedBlockBetweenLiveOnes((nuint)usable);
        ((byte*)block)[at] = 0x5A;
        ulong written = Off(_pool, block) + (ulong)at;
        AssertWalkerNames(_pool, HeaderOffset(_pool, block), $"use-after-free write in the free block at 0x{HeaderOffset(_pool, block):x}: the byte at 0x{written:x} is 0x5a, not the poison 0xde");
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, written, "use-after-free write");
    }

    [Fact]
    public void A_write_into_the_rest_a_split_leaves_free_is_reported_when_that_rest_is_handed_out_not_before()
    {
        // An 8,208-byte block cut to 4,096 bytes: the rest (4,112 bytes) becomes a free block of its own.
        nint block = FreedBlockBetweenLiveOnes(8192);
        ulong restPayload = Off(_pool, block) + 4096;
        ((byte*)block)[4096 + 100] = 0x5A; // byte 100 of the rest's payload

        Assert.Equal(block, _pool.Malloc(4080));
        AssertNoDamageAfter(_pool.GetStatistics(), "the allocation of the front 4,096 bytes");
        Assert.Equal(0, _pool.Malloc(4080)); // now the rest is handed out
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, restPayload + 100, "use-after-free write");
    }

    [Fact]
    public void A_split_that_leaves_exactly_the_smallest_block_does_not_check_the_bytes_it_leaves_free()
    {
        // A 4,128-byte block (usable 4,112) cut to 4,096 bytes leaves 32: the smallest block, made of its header and
        // links, which the split writes. A stray write there is not handed out and is not reported.
        nint block = FreedBlockBetweenLiveOnes(4112);
        ((byte*)block)[4111] = 0x5A;

        Assert.Equal(block, _pool.Malloc(4080));
        AssertNoDamageAfter(_pool.GetStatistics(), "the allocation that leaves a 32-byte block free");
        AssertUndamaged(_pool);
    }

    [Fact]
    public void A_write_into_freed_memory_that_a_new_slab_leaves_before_it_is_kept_for_the_walker_to_report()
    {
        // The first block ends 48 bytes past a page boundary; a 4,000-byte block after it is written and freed (it
        // merges with the heap's tail). A new slab then starts on the next page, and the 4,048 bytes before it stay a
        // free block: written, freed and poisoned before, so carving the slab must not fill them again and erase
        // the write found there.
        ulong page = PagePastAFirstBlock(_pool);
        _pool.Malloc((nuint)(page + 48 - _pool.Layout.HeapStart - 16));
        nint freed = _pool.Malloc(4000);
        Assert.Equal(page + 48 + 16, Off(_pool, freed));
        new Span<byte>((void*)freed, 4000).Fill(0x11);
        Assert.Equal(BlockCheck.Live, _pool.Free(freed));
        ((byte*)freed)[100] = 0x5A;

        nint obj = _pool.Malloc(64);
        Assert.True(SlabOf(_pool, obj) == Granule(page + 4096), $"expected the slab at 0x{page + 4096:x}");
        AssertWalkerNames(_pool, page + 48, "use-after-free write in the free block at 0x" + (page + 48).ToString("x", null));
    }

    [Fact]
    public void Without_the_option_the_free_bytes_a_new_slab_leaves_before_it_are_not_filled()
    {
        // As above, but in a plain pool and with the front never written: carving the slab fills nothing, so the
        // front's bytes past its header and links are still the zeroes the area was mapped with.
        PoolAllocator plain = NewPool(poison: false);
        try
        {
            ulong page = PagePastAFirstBlock(plain);
            plain.Malloc((nuint)(page + 48 - plain.Layout.HeapStart - 16));
            nint obj = plain.Malloc(64);
            Assert.True(SlabOf(plain, obj) == Granule(page + 4096), $"expected the slab at 0x{page + 4096:x}");
            ulong front = page + 48;
            int filled = new ReadOnlySpan<byte>((void*)At(plain, front + 32), (int)(page + 4096 - front - 32)).IndexOfAnyExcept((byte)0);
            Assert.True(filled < 0, $"a plain pool wrote byte 0x{(filled < 0 ? 0 : ((byte*)At(plain, front + 32))[filled]):x2} at 0x{front + 32 + (ulong)Math.Max(filled, 0):x} of the free front; expected its mapped zeroes");
        }
        finally
        {
            plain.Delete();
        }
    }

    /// <summary>
    /// Leaves one free block in the heap (16 or more bytes of <paramref name="rest"/>): it starts 16 bytes before a
    /// page boundary P, so a new slab starts at P + 4096 (a front of 16 bytes could not stand as a block, so the next
    /// page is taken), and it ends <paramref name="rest"/> bytes after that slab. Returns the offset where the slab ends.
    /// </summary>
    private ulong OnlyFreeBlockForASlabWithARestOf(ulong rest)
    {
        ulong slabBytes = (ulong)SizeClasses.SlabPages(SizeClasses.ClassOf(64)) * 4096;
        ulong page = PagePastAFirstBlock(_pool);
        // From page - 16: 16 bytes of front that cannot stand, the page's 4,096 bytes, the slab, the rest. At least the
        // slab plus an alignment plus a smallest block, as the aligned allocation asks, since the rest is at least 16.
        ulong blockSize = 16 + 4096 + slabBytes + rest;
        Assert.Equal(_pool.Layout.HeapStart + 16, Off(_pool, _pool.Malloc((nuint)(page - 16 - _pool.Layout.HeapStart - 16))));
        nint block = _pool.Malloc((nuint)(blockSize - 16));
        Assert.Equal(page, Off(_pool, block));
        ulong tail = _pool.Layout.HeapEnd - (page - 16 + blockSize);
        Assert.True(_pool.Malloc((nuint)(tail - 16)) != 0, "the rest of the heap could not be taken");
        Assert.Equal(BlockCheck.Live, _pool.Free(block));
        return page + 4096 + slabBytes;
    }

    [Fact]
    public void A_new_slab_whose_block_is_kept_whole_has_the_unrequested_rest_checked_too()
    {
        ulong slabEnd = OnlyFreeBlockForASlabWithARestOf(16); // 16 bytes cannot form a block: the slab's block keeps them
        ((byte*)At(_pool, slabEnd + 8))[0] = 0x5A;
        Assert.Equal(0, _pool.Malloc(64));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, slabEnd + 8, "use-after-free write");
    }

    [Fact]
    public void A_new_slab_whose_block_is_kept_whole_is_made_when_its_rest_holds_the_poison()
    {
        // The check ends where the block ends: the used block after it holds no poison and is not checked.
        OnlyFreeBlockForASlabWithARestOf(16);
        Assert.True(_pool.Malloc(64) != 0, $"the slab was not made; damage: {_pool.Damage}");
        AssertNoDamageAfter(_pool.GetStatistics(), "carving the slab");
    }

    [Fact]
    public void A_new_slab_does_not_check_the_rest_its_split_leaves_free_and_the_walker_reports_a_write_there()
    {
        ulong slabEnd = OnlyFreeBlockForASlabWithARestOf(48); // a 48-byte free block stays after the slab
        ((byte*)At(_pool, slabEnd + 40))[0] = 0x5A;          // past that block's header and links
        Assert.True(_pool.Malloc(64) != 0, $"the slab was not made; damage: {_pool.Damage}");
        AssertNoDamageAfter(_pool.GetStatistics(), "carving the slab");
        AssertWalkerNames(_pool, slabEnd, $"use-after-free write in the free block at 0x{slabEnd:x}");
    }

    [Fact]
    public void A_new_slab_that_leaves_exactly_the_smallest_block_free_does_not_check_its_bytes()
    {
        ulong slabEnd = OnlyFreeBlockForASlabWithARestOf(32); // the 32 bytes left are the smallest block: header and links
        ((byte*)At(_pool, slabEnd + 28))[0] = 0x5A;
        Assert.True(_pool.Malloc(64) != 0, $"the slab was not made; damage: {_pool.Damage}");
        AssertNoDamageAfter(_pool.GetStatistics(), "carving the slab");
    }

    private static void AssertNoDamageAfter(PoolStatistics stats, string after) =>
        Assert.True(stats is { UseAfterFreeWrites: 0, CorruptionsDetected: 0, FailedAllocations: 0 },
            $"after {after}: expected no damage and no failed allocation; actual {stats}");
}
