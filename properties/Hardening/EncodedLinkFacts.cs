using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Properties.Support.Forge;
using AreaMalloc.Format;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Hardening;

/// <summary>
/// Encoded free-list links: TLSF links and slab objects' links are stored encoded with the pool's keys and the link's
/// own position, and every decoded link is validated before it is followed. A TLSF link must name a sealed free block
/// of the heap that links back; a slab link must name an object start of the same slab, below Bump, that is not live.
/// Links forged with the pool's key stand for a link an allocator bug, or an attacker who knows the key, could write.
/// </summary>
public unsafe class EncodedLinkFacts : IDisposable
{
    private readonly PoolAllocator _pool = NewPool();

    public void Dispose()
    {
        _pool.Delete();
        GC.SuppressFinalize(this);
    }

    private static string Hex(ulong offset) => "0x" + offset.ToString("x", null);

    /// <summary>a, b (free, 4096 bytes), c, d (free, 4096 bytes), e: the list (5,0) holds d then b.</summary>
    private (ulong A, ulong B, ulong C, ulong D) TwoFreeBlocksOnOneList()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(4080), c = _pool.Malloc(7000), d = _pool.Malloc(4080);
        _pool.Malloc(7000);
        _pool.Free(b);
        _pool.Free(d);
        return (HeaderOffset(_pool, a), HeaderOffset(_pool, b), HeaderOffset(_pool, c), HeaderOffset(_pool, d));
    }

    [SpecRow("hard-tlsf-link")]
    [Fact]
    public void Large_block_links_are_stored_encoded_and_decode_to_their_neighbours()
    {
        (_, ulong b, _, ulong d) = TwoFreeBlocksOnOneList();
        Assert.Equal(Granule(b), NextOf(_pool, d));
        Assert.NotEqual(Granule(b), Links(_pool, d)->Next);
        Assert.Equal(Granule(d), _pool.Guard.Keys.Decode(Links(_pool, b)->Prev, b + 20));
        Assert.NotEqual(Granule(d), Links(_pool, b)->Prev);
        AssertUndamaged(_pool);
    }

    [Fact]
    public void A_link_copied_to_another_slot_decodes_elsewhere()
    {
        (ulong a, ulong b, _, ulong d) = TwoFreeBlocksOnOneList();
        uint stored = Links(_pool, d)->Next;
        Links(_pool, b)->Next = stored; // b is the list's last block: its next link is 0
        Assert.NotEqual(Granule(b), NextOf(_pool, b));
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(At(_pool, a + 16))); // a's free successor b must check out before they merge
        Assert.Equal(DamageKind.FreeListLink, _pool.Damage?.Kind);
        Assert.Equal(b, _pool.Damage?.Offset);
    }

    [SpecRow("hard-tlsf-link")]
    [Fact]
    public void A_next_link_decoding_outside_the_heap_is_refused_and_named_by_the_walker()
    {
        (_, _, _, ulong d) = TwoFreeBlocksOnOneList();
        uint outside = Granule(_pool.Layout.HeapEnd) + 1;
        ForgeNext(_pool, d, outside);
        AssertWalkerNames(_pool, d, "the free-list link in the free block at " + Hex(d) + " decodes to " + Hex((ulong)outside << 4) + ", outside the heap");
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.FreeListLink, d, "the next free-list link of the free block at " + Hex(d) + " decodes to " + Hex((ulong)outside << 4) + ", outside the heap");
    }

    [Fact]
    public void A_next_link_decoding_before_the_heap_is_refused()
    {
        (_, _, _, ulong d) = TwoFreeBlocksOnOneList();
        ForgeNext(_pool, d, 1); // into the pool header
        AssertWalkerNames(_pool, d, "outside the heap");
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.FreeListLink, d, "outside the heap");
    }

    [Fact]
    public void A_next_link_to_a_used_block_is_refused()
    {
        (ulong a, _, _, ulong d) = TwoFreeBlocksOnOneList();
        ForgeNext(_pool, d, Granule(a));
        AssertWalkerNames(_pool, d, "decodes to " + Hex(a) + ", which is not a free block");
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.FreeListLink, d, "decodes to " + Hex(a) + ", which is not a free block linking back to it");
    }

    [Fact]
    public void A_next_link_to_a_free_block_that_does_not_link_back_is_refused()
    {
        (_, _, _, ulong d) = TwoFreeBlocksOnOneList();
        ulong tail = (ulong)Granule(_pool.Layout.HeapEnd) << 4;
        tail -= (ulong)Header(_pool, _pool.Layout.HeapEnd)->PrevSize << 4; // the heap's last block: free, on another list
        ForgeNext(_pool, d, Granule(tail));
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.FreeListLink, d, "which is not a free block linking back to it");
        Assert.False(_pool.CheckIntegrity().IsValid);
    }

    [Fact]
    public void A_next_link_to_a_damaged_header_is_reported_as_that_headers_damage()
    {
        (_, ulong b, _, ulong d) = TwoFreeBlocksOnOneList();
        Header(_pool, b)->Check ^= 1;
        Assert.Equal(0, _pool.Malloc(4080)); // takes d, whose next link leads to b
        AssertDamage(_pool, DamageKind.BlockHeader, b, "check word mismatch in the block header at " + Hex(b) + ", reached by the next free-list link of the free block at " + Hex(d));
    }

    [Fact]
    public void A_previous_link_that_does_not_link_back_is_refused()
    {
        (_, ulong b, _, ulong d) = TwoFreeBlocksOnOneList();
        ForgePrev(_pool, d, Granule(b)); // d is its list's head: its previous link must be 0, and b's next is not d
        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.FreeListLink, d, "the previous free-list link of the free block at " + Hex(d) + " decodes to " + Hex(b));
        AssertWalkerNames(_pool, d, "free block " + Hex(d) + " has a wrong back link");
    }

    [Fact]
    public void A_missing_previous_link_on_a_block_that_is_not_its_lists_head_is_refused()
    {
        (ulong a, ulong b, _, _) = TwoFreeBlocksOnOneList();
        ForgePrev(_pool, b, 0);
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(At(_pool, a + 16))); // a would merge with b
        AssertDamage(_pool, DamageKind.FreeListLink, b, "but the block is not the head of its list");
        AssertWalkerNames(_pool, b, "has a wrong back link");
    }

    [Fact]
    public void A_next_link_that_cycles_is_found_by_the_walker()
    {
        (_, ulong b, _, ulong d) = TwoFreeBlocksOnOneList();
        ForgeNext(_pool, b, Granule(d)); // d -> b -> d: d's back link (0, as the head) disagrees the second time round
        AssertWalkerNames(_pool, d, "free block " + Hex(d) + " has a wrong back link");
    }

    /// <summary>Eight 64-byte objects of one slab; objects 3 and 5 freed, so the slab's free list is 3 then 5 (Bump is 8).</summary>
    private (nint[] Objects, ulong Slab) SlabWithFreeObjects()
    {
        var objects = new nint[8];
        for (int i = 0; i < objects.Length; i++)
            objects[i] = _pool.Malloc(64);
        _pool.Free(objects[5]);
        _pool.Free(objects[3]);
        return (objects, (ulong)SlabOf(_pool, objects[0]) << 4);
    }

    [SpecRow("hard-slab-link")]
    [Fact]
    public void Slab_links_are_stored_encoded_and_followed_in_order()
    {
        (nint[] objects, _) = SlabWithFreeObjects();
        ulong third = Off(_pool, objects[3]);
        Assert.Equal(Granule(Off(_pool, objects[5])), SlabLinkOf(_pool, third));
        Assert.NotEqual(Granule(Off(_pool, objects[5])), *(uint*)objects[3]);
        Assert.Equal(objects[3], _pool.Malloc(64));
        Assert.Equal(objects[5], _pool.Malloc(64));
        Assert.Equal(objects[7] + 64, _pool.Malloc(64)); // then carved from the never-used tail
        AssertUndamaged(_pool);
    }

    [Fact]
    public void A_slab_link_to_the_last_carved_object_is_followed()
    {
        (nint[] objects, _) = SlabWithFreeObjects();
        Assert.Equal(objects[3], _pool.Malloc(64));
        Assert.Equal(objects[5], _pool.Malloc(64));
        _pool.Free(objects[7]);
        _pool.Free(objects[6]); // the list is 6 then 7, the object just below Bump
        Assert.Equal(objects[6], _pool.Malloc(64));
        Assert.Equal(objects[7], _pool.Malloc(64));
        AssertUndamaged(_pool);
    }

    public static TheoryData<string, int> ForgedSlabLinks => new()
    {
        { "the middle of a free object", 0 },
        { "the first object never carved (at Bump)", 1 },
        { "a live object", 2 },
        { "a free object of another class's slab", 3 },
        { "the slab's own header", 4 },
        { "a copy of another free object's encoded link", 5 },
    };

    [SpecRow("hard-slab-link")]
    [Theory]
    [MemberData(nameof(ForgedSlabLinks))]
    public void A_slab_link_to_anything_but_a_free_carved_object_of_the_slab_is_refused_when_popped(string target, int which)
    {
        (nint[] objects, ulong slab) = SlabWithFreeObjects();
        nint other = _pool.Malloc(32);
        _pool.Malloc(32);
        _pool.Free(other);
        ulong holder = Off(_pool, objects[3]);
        if (which == 5)
            *(uint*)objects[3] = *(uint*)objects[5];
        else
        {
            ulong forged = which switch
            {
                0 => Off(_pool, objects[5]) + 16,
                1 => Off(_pool, objects[7]) + 64,
                2 => Off(_pool, objects[4]),
                3 => Off(_pool, other),
                _ => slab,
            };
            ForgeSlabLink(_pool, holder, Granule(forged));
        }

        AssertWalkerNames(_pool, holder, "the link in the free object at " + Hex(holder) + " decodes to");
        long failed = _pool.GetStatistics().FailedAllocations;
        Assert.True(_pool.Malloc(64) == 0, $"a link to {target} was followed");
        ulong decoded = (ulong)SlabLinkOf(_pool, holder) << 4;
        AssertDamage(_pool, DamageKind.FreeListLink, holder, "the free-list link of the free object at " + Hex(holder) + " in the slab at " + Hex(slab) + " decodes to " + Hex(decoded) + ", which is not a free object of the slab");
        Assert.Equal(failed + 1, _pool.GetStatistics().FailedAllocations);
        Assert.Equal(Granule(holder), Slab(_pool, (uint)(slab >> 4))->FreeHead); // nothing changed: the head is still object 3
    }

    /// <summary>Objects 0 to 69 of a 16-byte slab (page-aligned, objects from granule 4): object 59 has bit 63 of the slab's first live-map word, object 60 bit 0 of the next.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(59)]
    [InlineData(60)]
    [InlineData(65)]
    public void A_slab_link_to_a_live_object_is_refused_wherever_the_object_sits_in_the_live_map(int live)
    {
        var objects = new List<nint>();
        for (int i = 0; i < 70; i++)
            objects.Add(_pool.Malloc(16));
        Assert.True(SlabOf(_pool, objects[0]) == SlabOf(_pool, objects[69]), "expected one slab");
        Assert.Equal(BlockCheck.Live, _pool.Free(objects[1]));
        ulong holder = Off(_pool, objects[1]);
        ForgeSlabLink(_pool, holder, Granule(Off(_pool, objects[live])));
        Assert.Equal(0, _pool.Malloc(16));
        AssertDamage(_pool, DamageKind.FreeListLink, holder, "which is not a free object of the slab");
    }
}
