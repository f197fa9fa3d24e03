using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;
using AreaMalloc.Format;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.LargeBlocks;

/// <summary>
/// The large-block heap's placement rules, which the model cannot see because every outcome they forbid is still a
/// valid allocation: the dirty high-water mark (calloc skips clearing above it) never has a written byte above it;
/// realloc stays in place when it can (same size, exact-fit growth into a free successor) and gives back a tail as
/// small as one block; a fit leaving exactly one block's worth splits it off; a request no block of its own list can
/// hold is served from a larger list, never from a smaller block; aligned allocation honours its prefix and keeps the
/// smallest front that can stand as a free block.
/// </summary>
public sealed unsafe class LargeBlockFacts
{
    private const ulong Block = LargeBlockHeap.MinBlockSize;

    // ---- the dirty mark ----

    [Fact]
    public void In_a_fresh_pool_no_heap_byte_at_or_above_the_dirty_mark_was_written()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        AssertCleanAboveTheMark(pool, "fresh pool");
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void No_heap_byte_at_or_above_the_dirty_mark_is_ever_written_by_the_pool_or_by_a_caller()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var live = new List<nint>();
        var rng = new Random(5);
        for (int step = 0; step < 150; step++)
        {
            int op = rng.Next(10);
            if (op < 5 || live.Count == 0)
            {
                nuint size = (nuint)(rng.Next(3) switch { 0 => rng.Next(1, 1025), 1 => rng.Next(1025, 6000), _ => rng.Next(6000, 40000) });
                nint b = pool.Malloc(size);
                if (b != 0)
                {
                    FillUsable(pool, b);
                    live.Add(b);
                }
            }
            else if (op < 8)
            {
                int i = rng.Next(live.Count);
                pool.Free(live[i]);
                live.RemoveAt(i);
            }
            else
            {
                int i = rng.Next(live.Count);
                nint r = pool.Realloc(live[i], (nuint)rng.Next(1, 50000));
                if (r != 0)
                {
                    FillUsable(pool, r);
                    live[i] = r;
                }
            }

            AssertCleanAboveTheMark(pool, $"step {step}");
        }

        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_block_grown_in_place_is_below_the_dirty_mark_in_full()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        nint a = pool.Malloc(4000);
        nint grown = pool.Realloc(a, 60000); // into the free rest of the heap, in place
        Assert.Equal(a, grown);
        FillUsable(pool, grown);
        AssertCleanAboveTheMark(pool, "after growing in place and writing the whole block");
        nint shrunk = pool.Realloc(grown, 5000);
        Assert.Equal(grown, shrunk);
        FillUsable(pool, shrunk);
        AssertCleanAboveTheMark(pool, "after shrinking in place");
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_block_grown_in_place_over_the_whole_never_written_rest_of_the_heap_is_below_the_dirty_mark()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        nint a = pool.Malloc(4000);                                  // block 4016; the rest of the heap is one free block
        ulong rest = pool.GetStatistics().LargestFreeBlock;          // its payload: its size less a header
        nint grown = pool.Realloc(a, (nuint)(4016 + rest));          // exactly both blocks: no tail is given back
        Assert.Equal(a, grown);
        FillUsable(pool, grown);
        AssertCleanAboveTheMark(pool, "after growing in place over the whole rest of the heap");
        Assert.Equal(0, pool.Delete());
    }

    // ---- realloc in place ----

    [Fact]
    public void Realloc_to_the_size_a_block_already_has_stays_in_place_before_a_used_block()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        nint a = pool.Malloc(4000);
        nint after = pool.Malloc(4000);
        Assert.Equal(a, pool.Realloc(a, 4000));
        Assert.Equal(a, pool.Realloc(a, 3990)); // same block size
        Assert.Equal(2, pool.GetStatistics().LiveBlocks);
        PoolFixture.AssertIntact(pool);
        pool.Free(after);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void Realloc_grows_in_place_into_a_free_successor_of_exactly_the_missing_size()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        nint a = pool.Malloc(4000);     // block 4016
        nint b = pool.Malloc(4000);     // block 4016
        nint c = pool.Malloc(4000);     // keeps b's block from merging with the rest of the heap
        pool.Free(b);
        nint grown = pool.Realloc(a, 4000 + 4016); // block 8032: exactly a's and b's
        Assert.Equal(a, grown);
        pool.Check(grown, out ulong usable);
        Assert.Equal(8016UL, usable);
        PoolFixture.AssertIntact(pool);
        pool.Free(c);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_shrink_gives_back_a_tail_of_exactly_one_minimal_block()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        nint a = pool.Malloc(4000);     // block 4016
        nint after = pool.Malloc(4000);
        ulong freeBefore = pool.GetStatistics().LargeFreeBytes;
        Assert.Equal(a, pool.Realloc(a, (nuint)(4000 - Block))); // block 3984: the 32-byte tail can stand as a free block
        pool.Check(a, out ulong usable);
        Assert.Equal(4000 - Block, usable);
        Assert.Equal(freeBefore + Block, pool.GetStatistics().LargeFreeBytes);
        PoolFixture.AssertIntact(pool);
        pool.Free(after);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void Growing_in_place_past_the_peak_raises_the_peak()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        nint a = pool.Malloc(4000);
        Assert.Equal(a, pool.Realloc(a, 100_000));
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(stats.LargeUsedBytes, stats.PeakLargeUsedBytes);
        Assert.Equal(0, pool.Delete());
    }

    // ---- the heap itself ----

    [Fact]
    public void A_fit_that_leaves_exactly_one_minimal_block_splits_it_off()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        heap.Allocate(64);
        ulong hole = heap.Allocate(96);
        heap.Allocate(64);
        heap.Free(hole);                         // a free block of 96 bytes between used ones
        ulong taken = heap.Allocate(64);         // the first list at or above 64 holds it
        Assert.Equal(hole, taken);
        Assert.Equal(64UL, Size(heap, taken));
        BlockHeader* rest = heap.Header(taken + 64);
        Assert.True(rest->IsFree, "the 32 bytes left over were not split off as a free block");
        Assert.Equal(Block, (ulong)rest->Size << Granules.Log2);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_request_that_no_block_of_its_first_level_holds_comes_from_a_larger_level_never_a_smaller_block()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        heap.Allocate(4096);
        heap.Allocate(64);
        ulong small = heap.Allocate(3008);       // first level of 2048-4095, a low second-level list
        heap.Allocate(64);
        heap.Free(small);
        ulong taken = heap.Allocate(3504);       // same first level, a higher second-level list: none there
        Assert.NotEqual(small, taken);
        Assert.True(Size(heap, taken) == 3504, $"a 3504-byte request got a {Size(heap, taken)}-byte block");
        Assert.True(heap.Header(small)->IsFree, "the smaller free block was handed out");
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void A_request_that_its_first_level_cannot_hold_is_never_served_from_the_level_below()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        heap.Allocate(64);
        ulong lower = heap.Allocate(3008);       // the first level below: 2048-4095
        heap.Allocate(64);
        heap.Free(lower);
        ulong taken = heap.Allocate(5024);       // first level 4096-8191, where no block is free
        Assert.NotEqual(lower, taken);
        Assert.True(Size(heap, taken) == 5024, $"a 5024-byte request got a {Size(heap, taken)}-byte block");
        Assert.True(heap.Header(lower)->IsFree, "the block of the level below was handed out");
        Assert.Equal(0, pool.Delete());
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(16UL)]
    [InlineData(64UL)]
    [InlineData(4000UL)]
    public void An_aligned_block_puts_its_offset_plus_the_prefix_on_the_alignment(ulong prefix)
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        heap.Allocate(48);                       // the free rest of the heap starts off the page grid
        ulong target = heap.AllocateAligned(8192, prefix, 4096);
        Assert.NotEqual(0UL, target);
        Assert.True((target + prefix) % 4096 == 0, $"0x{target:x} + {prefix} is not page aligned");
        Assert.Equal(8192UL, Size(heap, target));
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void An_aligned_block_keeps_a_front_of_exactly_one_minimal_block_rather_than_skipping_an_alignment()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        ulong front = pool.Layout.HeapStart;     // the one free block of a fresh heap
        ulong prefix = (4096 - (front + Block) % 4096) % 4096; // the first aligned target is then front + 32
        ulong target = heap.AllocateAligned(4096, prefix, 4096);
        Assert.Equal(front + Block, target);
        Assert.True(heap.Header(front)->IsFree, "the 32-byte front is not a free block");
        Assert.Equal(Block, Size(heap, front));
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void An_aligned_block_is_carved_from_a_free_run_of_exactly_its_size_when_no_larger_block_is_left()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        ulong a = heap.AllocateAligned(3 * 4096, 0, 4096), b = heap.AllocateAligned(2 * 4096, 0, 4096), c = heap.AllocateAligned(4096, 0, 4096);
        Assert.True(b == a + 3 * 4096 && c == b + 2 * 4096, $"the blocks do not follow each other: 0x{a:x}, 0x{b:x}, 0x{c:x}");
        ulong rest = c + 4096;
        ulong tail = heap.Allocate(pool.Layout.HeapEnd - rest);  // the rest of the heap, so only the hole below is free
        Assert.Equal(rest, tail);
        heap.Free(b);                                            // a hole of exactly two pages, on the page grid
        Assert.Equal(0UL, heap.AllocateAligned(3 * 4096, 0, 4096));
        Assert.Equal(b, heap.AllocateAligned(2 * 4096, 0, 4096)); // the O(1) search wants 2 pages + 4128 bytes; the hole is found anyway
        Assert.Equal(2 * 4096UL, Size(heap, b));
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void An_aligned_block_is_refused_when_every_free_run_is_shorter_and_nothing_is_recorded_as_damage()
    {
        PoolAllocator pool = PoolFixture.NewPool(256 * 1024);
        var heap = pool.LargeBlocks;
        ulong a = heap.AllocateAligned(2 * 4096, 0, 4096), b = heap.AllocateAligned(4096, 0, 4096), c = heap.AllocateAligned(4096, 0, 4096);
        Assert.True(b == a + 2 * 4096 && c == b + 4096, $"the blocks do not follow each other: 0x{a:x}, 0x{b:x}, 0x{c:x}");
        Assert.Equal(c + 4096, heap.Allocate(pool.Layout.HeapEnd - (c + 4096)));
        heap.Free(b);                                            // one free page on the grid, and the front under a page
        Assert.Equal(0UL, heap.AllocateAligned(2 * 4096, 0, 4096));
        Assert.Null(pool.Damage);
        Assert.Equal(b, heap.AllocateAligned(4096, 0, 4096));
        Assert.Equal(0, pool.Delete());
    }

    // ---- helpers ----

    private static ulong Size(LargeBlockHeap heap, ulong block) => (ulong)heap.Header(block)->Size << Granules.Log2;

    private static void FillUsable(PoolAllocator pool, nint block)
    {
        Assert.Equal(BlockCheck.Live, pool.Check(block, out ulong usable));
        new Span<byte>((void*)block, (int)usable).Fill(0xD1);
    }

    /// <summary>Every heap byte from the dirty mark up to the heap's end is still zero (calloc relies on it).</summary>
    private static void AssertCleanAboveTheMark(PoolAllocator pool, string when)
    {
        PoolHeader* h = (PoolHeader*)pool.Base;
        ulong mark = h->Large.DirtyHighWater, end = h->HeapEnd;
        Assert.True(mark >= h->HeapStart && mark <= end, $"{when}: the dirty mark 0x{mark:x} is outside the heap [0x{h->HeapStart:x}, 0x{end:x})");
        var above = new ReadOnlySpan<byte>((byte*)pool.Base + mark, checked((int)(end - mark)));
        int written = above.IndexOfAnyExcept((byte)0);
        if (written >= 0) // the message reads the byte, so it is only built when there is one (the span may be empty)
            Assert.Fail($"{when}: heap byte 0x{mark + (ulong)written:x} above the dirty mark 0x{mark:x} was written (0x{above[written]:x2}), expected every byte above the mark to be zero");
    }
}
