using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.Slabs;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>
/// Every invariant the integrity walker checks, broken one at a time on purpose: the walker must name it.
/// A pool is built with used and free large blocks, two slabs of one class (one full, one partial) and a spare.
/// </summary>
public unsafe class IntegrityWalkerFacts : IDisposable
{
    private readonly PoolAllocator _pool = PoolFixture.NewPool(1 << 20);
    private readonly nint _largeA, _largeB, _largeC, _largeD, _largeE;
    private readonly List<nint> _small = new();
    private readonly int _class = SizeClasses.ClassOf(64);

    public IntegrityWalkerFacts()
    {
        _largeA = _pool.Malloc(5000);
        _largeB = _pool.Malloc(6000);
        _largeC = _pool.Malloc(7000);
        _largeD = _pool.Malloc(3000);
        _largeE = _pool.Malloc(9000);
        _pool.Free(_largeB);           // free block between used A and C
        _pool.Free(_largeE);           // merges with the heap's tail
        int perSlab = SizeClasses.ObjectsPerSlab(_class);
        for (int i = 0; i < perSlab + 3; i++)
            _small.Add(_pool.Malloc(64));
        _pool.Free(_pool.Malloc(1024)); // leaves a spare slab of the largest class
        PoolFixture.AssertIntact(_pool);
    }

    public void Dispose()
    {
        _pool.Delete();
        GC.SuppressFinalize(this);
    }

    private PoolHeader* H => (PoolHeader*)_pool.Base;
    private BlockHeader* HeaderOf(nint payload) => (BlockHeader*)(payload - 16);
    private ulong Offset(nint p) => (ulong)(p - _pool.Base);
    private uint SlabOf(nint obj) => ((uint*)(_pool.Base + (nint)H->PageMapOffset))[Offset(obj) / 4096];
    private SlabHeader* Slab(uint slab) => (SlabHeader*)(_pool.Base + (nint)((ulong)slab << 4) + 16);
    private ulong* LiveWord(ulong offset) => (ulong*)(_pool.Base + (nint)H->LiveMapOffset) + ((offset >> 4) >> 6);
    private static ulong LiveBit(ulong offset) => 1UL << (int)((offset >> 4) & 63);

    private void AssertNamed(string expected)
    {
        IntegrityReport report = _pool.CheckIntegrity();
        Assert.False(report.IsValid, $"the walker accepted a pool with a broken invariant ({expected})");
        Assert.Contains(expected, report.Violation, StringComparison.Ordinal);
        Assert.Contains("corrupt at offset", report.ToString(), StringComparison.Ordinal);
    }

    [SpecRow("integrity-walk")]
    [Fact]
    public void An_intact_pool_reports_its_blocks() =>
        Assert.Matches(@"pool intact: \d+ blocks \(\d+ free, 3 slabs\)", _pool.CheckIntegrity().ToString());

    [SpecRow("integrity-walk")]
    [Fact]
    public void Header_magic() { H->Magic ^= 1; AssertNamed("pool header magic"); }

    [Fact]
    public void Header_disagreeing_with_the_layout() { H->HeapEnd -= 16; AssertNamed("disagrees with the layout"); }

    [Fact]
    public void Block_size_impossible() { HeaderOf(_largeA)->Size = 1; AssertNamed("impossible size"); }

    [Fact]
    public void Block_size_past_the_heap() { HeaderOf(_largeC)->Size = uint.MaxValue / 2; AssertNamed("impossible size"); }

    [Fact]
    public void Previous_size_wrong() { HeaderOf(_largeC)->PrevSize++; AssertNamed("records previous size"); }

    [Fact]
    public void PrevFree_flag_wrong() { HeaderOf(_largeC)->Flags &= ~BlockHeader.PrevFreeFlag; AssertNamed("PrevFree"); }

    [Fact]
    public void Two_free_neighbours()
    {
        HeaderOf(_largeC)->Flags |= BlockHeader.FreeFlag;
        AssertNamed("coalescing missed");
    }

    [Fact]
    public void Live_bit_inside_a_free_block() { *LiveWord(Offset(_largeB)) |= LiveBit(Offset(_largeB)); AssertNamed("contains a live-map bit"); }

    [Fact]
    public void Used_block_not_marked_live() { *LiveWord(Offset(_largeA)) &= ~LiveBit(Offset(_largeA)); AssertNamed("not marked live exactly"); }

    [Fact]
    public void Used_block_on_a_slab_page()
    {
        ulong page = (Offset(_largeA) + 4095) / 4096 + 1 - 1;
        ((uint*)(_pool.Base + (nint)H->PageMapOffset))[page] = 7;
        AssertNamed("lies on a page the page map gives to a slab");
    }

    [Fact]
    public void Slab_magic() { Slab(SlabOf(_small[0]))->Magic = 0; AssertNamed("damaged header"); }

    [Fact]
    public void Slab_of_another_shape()
    {
        // An 8-page slab of 1024 B relabelled as 16 B, whose slabs have 1 page.
        nint big = _pool.Malloc(1024);
        Assert.True(SizeClasses.SlabPages(SizeClasses.ClassOf(1024)) > SizeClasses.SlabPages(0));
        Slab(SlabOf(big))->SizeClass = 0;
        AssertNamed("does not have the shape");
    }

    [Fact]
    public void Slab_counts_impossible() { Slab(SlabOf(_small[0]))->Live = 100_000; AssertNamed("inconsistent counts"); }

    [Fact]
    public void Slab_page_not_mapped()
    {
        ((uint*)(_pool.Base + (nint)H->PageMapOffset))[Offset(_small[0]) / 4096] = 0;
        AssertNamed("is not mapped to it");
    }

    [Fact]
    public void Slab_free_list_pointing_outside()
    {
        SlabHeader* slab = Slab(SlabOf(_small[^1]));
        _pool.Free(_small[^1]);
        slab->FreeHead = 1;
        AssertNamed("free list of slab");
    }

    [Fact]
    public void Slab_free_list_naming_a_live_object()
    {
        SlabHeader* slab = Slab(SlabOf(_small[^1]));
        _pool.Free(_small[^1]);
        slab->FreeHead = (uint)(Offset(_small[^2]) >> 4);
        AssertNamed("free list of slab");
    }

    [Fact]
    public void Slab_counts_that_do_not_add_up()
    {
        SlabHeader* slab = Slab(SlabOf(_small[^1]));
        slab->Bump--;
        AssertNamed($"live {slab->Live} + free 0 + uncarved {slab->Capacity - slab->Bump} != capacity {slab->Capacity}");
    }

    [Fact]
    public void Slab_live_count_disagreeing_with_the_live_map()
    {
        SlabHeader* slab = Slab(SlabOf(_small[^1]));
        slab->Live++;
        slab->Bump++;
        AssertNamed($"counts {slab->Live} live objects, the live map {slab->Live - 1}");
    }

    [Fact]
    public void Slab_in_the_wrong_state() { Slab(SlabOf(_small[^1]))->State = SlabHeader.Full; AssertNamed("is in state"); }

    [Fact]
    public void Slab_in_an_unknown_state() { Slab(SlabOf(_small[0]))->State = 9; AssertNamed("is in state"); }

    [Fact]
    public void Spare_slab_not_recorded_as_spare() { H->Slabs.SpareSlabs[SizeClasses.Count - 1] = 0; AssertNamed("is in state"); }

    [Fact]
    public void Sentinel_damaged()
    {
        ((BlockHeader*)(_pool.Base + (nint)H->HeapEnd))->Flags = 0;
        AssertNamed("intact sentinel");
    }

    [Fact]
    public void Sentinel_boundary_tag_wrong()
    {
        ((BlockHeader*)(_pool.Base + (nint)H->HeapEnd))->PrevSize++;
        AssertNamed("sentinel's boundary tag");
    }

    [Fact]
    public void First_level_bitmap_wrong() { H->Large.FlBitmap ^= 1u << 20; AssertNamed("first-level bitmap"); }

    [Fact]
    public void Second_level_bitmap_wrong()
    {
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        H->Large.SlBitmap[fl] |= 1u << ((sl + 1) % 16);
        AssertNamed($"bitmap bit ({fl},{(sl + 1) % 16})");
    }

    [Fact]
    public void Free_list_holding_a_used_block()
    {
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        H->Large.FreeHeads[fl * 16 + sl] = (uint)(Offset(_largeA - 16) >> 4);
        AssertNamed("which is not a free block");
    }

    [Fact]
    public void Free_block_on_the_wrong_list()
    {
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        uint head = H->Large.FreeHeads[fl * 16 + sl];
        H->Large.FreeHeads[fl * 16 + sl] = 0;
        H->Large.SlBitmap[fl] &= ~(1u << sl);
        if (H->Large.SlBitmap[fl] == 0)
            H->Large.FlBitmap &= ~(1u << fl);
        int wrongSl = (sl + 1) % 16;
        H->Large.FreeHeads[fl * 16 + wrongSl] = head;
        H->Large.SlBitmap[fl] |= 1u << wrongSl;
        H->Large.FlBitmap |= 1u << fl;
        AssertNamed($"is on list ({fl},{wrongSl})");
    }

    [Fact]
    public void Free_list_back_link_wrong()
    {
        ((FreeLinks*)_largeB)->Prev = 5;
        AssertNamed("wrong back link");
    }

    [Fact]
    public void Free_block_missing_from_its_list()
    {
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        // The links are stored encoded with their own offset: the head takes the decoded next link.
        H->Large.FreeHeads[fl * 16 + sl] = _pool.Guard.Keys.Decode(((FreeLinks*)_largeB)->Next, Offset(_largeB));
        if (H->Large.FreeHeads[fl * 16 + sl] == 0)
        {
            H->Large.SlBitmap[fl] &= ~(1u << sl);
            if (H->Large.SlBitmap[fl] == 0)
                H->Large.FlBitmap &= ~(1u << fl);
        }
        AssertNamed("the free lists hold");
    }

    [Fact]
    public void Partial_list_naming_a_full_slab()
    {
        H->Slabs.PartialSlabs[_class] = SlabOf(_small[0]);
        AssertNamed("partial list of class");
    }

    [Fact]
    public void Partial_slab_missing_from_its_list()
    {
        H->Slabs.PartialSlabs[_class] = 0;
        AssertNamed("the partial lists hold");
    }

    [Fact]
    public void Slab_count_per_class_wrong() { H->Slabs.SlabsPerClass[_class]++; AssertNamed($"class {_class} counts"); }

    [Fact]
    public void Live_block_count_wrong() { H->LiveBlocks++; AssertNamed("live blocks"); }

    [Fact]
    public void Bytes_in_use_wrong() { H->BytesInUse += 16; AssertNamed("live blocks"); }

    [Fact]
    public void Free_bytes_wrong() { H->Large.FreeBytes += 16; AssertNamed("free / "); }

    [Fact]
    public void Used_bytes_wrong() { H->Large.UsedBytes -= 16; AssertNamed("free / "); }

    [Fact]
    public void Slab_total_wrong() { H->Slabs.SlabCount++; AssertNamed("slabs ("); }

    [Fact]
    public void Spare_total_wrong() { H->Slabs.SpareSlabCount++; AssertNamed("slabs ("); }

    [Fact]
    public void Live_bit_in_the_metadata() { *LiveWord(16) |= LiveBit(16); AssertNamed("marks something that is not a live block"); }

    [Fact]
    public void Page_map_entry_for_a_metadata_page() { ((uint*)(_pool.Base + (nint)H->PageMapOffset))[0] = 3; AssertNamed("page map gives pages"); }

    [Fact]
    public void Header_page_map_offset_wrong() { H->PageMapOffset += 16; AssertNamed("disagrees with the layout"); }

    [Fact]
    public void Header_live_map_offset_wrong() { H->LiveMapOffset += 16; AssertNamed("disagrees with the layout"); }

    [Fact]
    public void Header_area_size_wrong() { H->AreaSize += 4096; AssertNamed("disagrees with the layout"); }

    [Fact]
    public void Header_heap_start_wrong() { H->HeapStart += 16; AssertNamed("disagrees with the layout"); }

    [Fact]
    public void Sentinel_without_its_flag()
    {
        ((BlockHeader*)(_pool.Base + (nint)H->HeapEnd))->Flags &= ~BlockHeader.SentinelFlag;
        AssertNamed("intact sentinel");
    }

    [Fact]
    public void Sentinel_marked_free()
    {
        ((BlockHeader*)(_pool.Base + (nint)H->HeapEnd))->Flags |= BlockHeader.FreeFlag;
        AssertNamed("intact sentinel");
    }

    [Fact]
    public void Slab_object_size_wrong() { Slab(SlabOf(_small[0]))->ObjectSize += 16; AssertNamed("inconsistent counts"); }

    [Fact]
    public void Slab_capacity_wrong() { Slab(SlabOf(_small[0]))->Capacity--; AssertNamed("inconsistent counts"); }

    [Fact]
    public void Slab_carved_count_impossible() { Slab(SlabOf(_small[0]))->Bump = 100_000; AssertNamed("inconsistent counts"); }

    [Fact]
    public void Slab_free_list_naming_an_uncarved_object()
    {
        SlabHeader* slab = Slab(SlabOf(_small[^1]));
        _pool.Free(_small[^1]);
        ulong objects = (ulong)(SlabOf(_small[^1])) * 16 + 64;
        slab->FreeHead = (uint)((objects + (ulong)slab->Bump * slab->ObjectSize) >> 4);
        AssertNamed("free list of slab");
    }

    [Fact]
    public void Slab_free_list_naming_the_middle_of_an_object()
    {
        SlabHeader* slab = Slab(SlabOf(_small[^1]));
        _pool.Free(_small[^1]);
        slab->FreeHead = (uint)((Offset(_small[^1]) + 16) >> 4);
        AssertNamed("free list of slab");
    }

    [Fact]
    public void Free_list_head_outside_the_heap()
    {
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        H->Large.FreeHeads[fl * 16 + sl] = (uint)(H->HeapEnd >> 4);
        AssertNamed("which is not a free block");
    }

    [Fact]
    public void Free_list_holding_a_block_before_the_heap()
    {
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        H->Large.FreeHeads[fl * 16 + sl] = 1;
        AssertNamed("which is not a free block");
    }

    // ---- the order of the checks, the report's offset and counts ----

    [Fact]
    public void The_header_is_checked_before_anything_else()
    {
        H->Magic ^= 1;
        H->LiveBlocks++;
        ((FreeLinks*)_largeB)->Prev = 5;
        AssertNamed("pool header magic");
    }

    [Fact]
    public void The_blocks_are_checked_before_the_free_lists()
    {
        HeaderOf(_largeC)->PrevSize++;
        ((FreeLinks*)_largeB)->Prev = 5;
        AssertNamed("records previous size");
    }

    [Fact]
    public void The_free_lists_are_checked_before_the_slab_lists()
    {
        ((FreeLinks*)_largeB)->Prev = 5;
        H->Slabs.PartialSlabs[_class] = SlabOf(_small[0]);
        AssertNamed("wrong back link");
    }

    [Fact]
    public void The_slab_lists_are_checked_before_the_totals()
    {
        H->Slabs.PartialSlabs[_class] = SlabOf(_small[0]);
        H->LiveBlocks++;
        AssertNamed("partial list of class");
    }

    [Fact]
    public void An_intact_report_has_no_offset_and_a_corrupt_one_names_it()
    {
        IntegrityReport intact = _pool.CheckIntegrity();
        Assert.Null(intact.Offset);
        HeaderOf(_largeC)->PrevSize++;
        IntegrityReport corrupt = _pool.CheckIntegrity();
        Assert.Equal(Offset(_largeC) - 16, corrupt.Offset);
        Assert.Contains($"corrupt at offset 0x{Offset(_largeC) - 16:x}:", corrupt.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_counts_every_block_free_block_and_slab_of_the_heap()
    {
        int blocks = 0, free = 0, slabs = 0;
        for (ulong at = H->HeapStart; at < H->HeapEnd; at += (ulong)((BlockHeader*)(_pool.Base + (nint)at))->Size << 4)
        {
            var b = (BlockHeader*)(_pool.Base + (nint)at);
            blocks++;
            free += b->IsFree ? 1 : 0;
            slabs += b->IsSlab ? 1 : 0;
        }

        IntegrityReport report = _pool.CheckIntegrity();
        Assert.Equal((blocks, free, slabs), (report.BlocksWalked, report.FreeBlocks, report.Slabs));
        Assert.Equal(3, slabs);
    }

    // ---- more invariants broken on purpose ----

    [Fact]
    public void Sentinel_without_its_tag()
    {
        ((BlockHeader*)(_pool.Base + (nint)H->HeapEnd))->Flags &= ~BlockHeader.TagMask;
        AssertNamed("intact sentinel");
    }

    [Fact]
    public void Used_block_whose_live_bit_is_inside_it_but_not_at_its_payload()
    {
        *LiveWord(Offset(_largeA)) &= ~LiveBit(Offset(_largeA));
        *LiveWord(Offset(_largeA) + 16) |= LiveBit(Offset(_largeA) + 16);
        AssertNamed("not marked live exactly");
    }

    [Fact]
    public void Slab_of_a_class_past_the_last() { Slab(SlabOf(_small[0]))->SizeClass = SizeClasses.Count; AssertNamed("damaged header"); }

    [Fact]
    public void Slab_block_one_minimal_block_longer_than_its_shape()
    {
        ulong block = (ulong)SlabOf(_small[0]) << 4;
        ((BlockHeader*)(_pool.Base + (nint)block))->Size += 2;
        Forge.Reseal(_pool, block); // sealed with the pool's keys: the shape check, not the check word, must catch it
        AssertNamed("does not have the shape");
    }

    [Fact]
    public void Slab_block_shorter_than_its_shape()
    {
        ulong block = (ulong)SlabOf(_small[0]) << 4;
        ((BlockHeader*)(_pool.Base + (nint)block))->Size -= 1;
        Forge.Reseal(_pool, block);
        AssertNamed("does not have the shape");
    }

    [Fact]
    public void Full_slab_marked_partial() { Slab(SlabOf(_small[0]))->State = SlabHeader.Partial; AssertNamed("is in state"); }

    [Fact]
    public void Empty_spare_slab_marked_partial()
    {
        uint spare = H->Slabs.SpareSlabs[SizeClasses.Count - 1];
        Slab(spare)->State = SlabHeader.Partial;
        AssertNamed("is in state");
    }

    [Fact]
    public void Free_list_holding_one_block_more_than_the_heap_has()
    {
        // A well-formed free block header inside _largeA's payload, appended to the list of the heap's last free block
        // (the highest list): when the walker reaches it, it has listed every free block of the heap already.
        int index = -1;
        for (int i = TlsfMapping.FlCount * 16 - 1; i >= 0 && index < 0; i--)
            if (H->Large.FreeHeads[i] != 0)
                index = i;
        // Links are stored encoded (keyed by their own offset): the fake block and the links to it are forged with the
        // pool's keys, so that only the count of the list, not a check word or a link check, can give it away.
        ulong last = (ulong)H->Large.FreeHeads[index] << 4;
        for (uint next = Forge.NextOf(_pool, last); next != 0; next = Forge.NextOf(_pool, last))
            last = (ulong)next << 4;
        ulong fake = Offset(_largeA);
        *(BlockHeader*)(_pool.Base + (nint)fake) = *(BlockHeader*)(_pool.Base + (nint)last);
        Forge.Reseal(_pool, fake);
        Forge.ForgeNext(_pool, fake, 0);
        Forge.ForgePrev(_pool, fake, Forge.Granule(last));
        Forge.ForgeNext(_pool, last, Forge.Granule(fake));
        AssertNamed("or the list cycles");
    }

    [Fact]
    public void Free_list_holding_a_well_formed_free_block_header_in_the_metadata()
    {
        // A fake free block of _largeB's size, written where no heap check looks: the first bytes of the live map
        // (their bits stand for granules of the pool's own header).
        ulong fake = H->LiveMapOffset;
        var header = (BlockHeader*)(_pool.Base + (nint)fake);
        *header = *HeaderOf(_largeB);
        header->PrevSize = 0;
        header->Flags = BlockHeader.Tag | BlockHeader.FreeFlag;
        *(FreeLinks*)(_pool.Base + (nint)fake + 16) = default;
        (int fl, int sl) = TlsfMapping.MapInsert((ulong)HeaderOf(_largeB)->Size << 4);
        H->Large.FreeHeads[fl * 16 + sl] = (uint)(fake >> 4);
        AssertNamed("which is not a free block");
    }

    [Fact]
    public void Partial_list_naming_a_used_block_that_looks_like_a_slab_of_the_class()
    {
        // _largeA's payload is where a slab header would be if its block were a slab: make it look like one of this
        // class, in the partial state, at the head of the list, in front of the real partial slab, with a bad magic.
        var fake = (SlabHeader*)_largeA;
        *fake = default;
        fake->Magic = SlabHeader.MagicValue ^ 1;
        fake->SizeClass = (ushort)_class;
        fake->State = SlabHeader.Partial;
        uint realHead = H->Slabs.PartialSlabs[_class];
        fake->Next = realHead;
        uint self = (uint)((Offset(_largeA) - 16) >> 4);
        Slab(realHead)->Prev = self;
        H->Slabs.PartialSlabs[_class] = self;
        AssertNamed($"partial list of class {_class} is damaged at slab 0x{Offset(_largeA) - 16:x}");
    }

    [Fact]
    public void Free_list_link_to_the_sentinel_is_reported_outside_the_heap()
    {
        // The heap ends where the sentinel starts: a link to it (forged with the pool's keys) leaves the heap.
        ulong b = Offset(_largeB) - 16;
        Forge.ForgeNext(_pool, b, Forge.Granule(H->HeapEnd));
        AssertNamed($"the free-list link in the free block at 0x{b:x} decodes to 0x{H->HeapEnd:x}, outside the heap");
    }
}
