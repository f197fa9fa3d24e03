using AreaMalloc.Pool;
using Xunit.Abstractions;
using AreaMalloc.Slabs;
using AreaMalloc.Properties.Support;
using static AreaMalloc.Properties.Support.Forge;
using AreaMalloc.Format;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Hardening;

/// <summary>
/// The issue's acceptance test, case by case: a write past the end of a block, over the metadata that follows it,
/// is refused instead of followed. The next operation that meets it fails cleanly (free: Corrupt; malloc, calloc,
/// realloc: NULL), nothing handed out before or after overlaps anything live, and the walker names the damaged block.
/// </summary>
public unsafe class OverflowFacts : IDisposable
{
    private readonly PoolAllocator _pool = NewPool();
    private readonly Ledger _ledger;
    private readonly ITestOutputHelper _output;

    public OverflowFacts(ITestOutputHelper output)
    {
        _ledger = new Ledger(_pool);
        _output = output;
    }

    public void Dispose()
    {
        _pool.Delete();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes <paramref name="extra"/> bytes of <paramref name="value"/> past the usable end of <paramref name="block"/>.</summary>
    private void Overflow(nint block, int extra, byte value = 0x41)
    {
        Assert.Equal(BlockCheck.Live, _pool.Check(block, out ulong usable));
        new Span<byte>((void*)(block + (nint)usable), extra).Fill(value);
    }

    [SpecRow("misuse-overflow")]
    [Fact]
    public void An_overflow_over_the_next_large_blocks_header_is_refused_by_free_named_by_the_walker_and_stops_allocation()
    {
        nint a = _ledger.Malloc(5000), b = _ledger.Malloc(6000), c = _ledger.Malloc(7000);
        ulong bHeader = HeaderOffset(_pool, b);
        Overflow(a, 16);

        AssertWalkerNames(_pool, bHeader, "has no valid tag");
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(b));
        AssertDamage(_pool, DamageKind.BlockHeader, bHeader, "check word mismatch");
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(a)); // its successor is the damaged header
        Assert.Equal(BlockCheck.Corrupt, _pool.Check(b, out _));
        PoolStatistics stats = _pool.GetStatistics();
        Assert.True(stats.RefusedFrees == 2 && stats.CorruptionsDetected == 3 && stats.LiveBlocks == 3,
            $"expected 2 refused frees, 3 corruptions met, 3 live blocks; actual {stats.RefusedFrees}, {stats.CorruptionsDetected}, {stats.LiveBlocks}");
        AssertRefusesAllocations(_pool, c);
        Assert.Equal(BlockCheck.Live, _ledger.Free(c)); // its header and neighbours check out
        Assert.Equal(0, _ledger.Malloc(100));
    }

    [Fact]
    public void An_off_by_one_write_past_a_large_block_is_found_by_the_check_word()
    {
        nint a = _ledger.Malloc(5000), b = _ledger.Malloc(6000);
        ulong bHeader = HeaderOffset(_pool, b);
        uint size = Header(_pool, bHeader)->Size;
        Overflow(a, 1, 0); // a NUL one byte too far: the low byte of b's size
        Assert.NotEqual(size, Header(_pool, bHeader)->Size);

        AssertWalkerNames(_pool, bHeader, "check word mismatch");
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(b));
        AssertDamage(_pool, DamageKind.BlockHeader, bHeader, "check word mismatch in the block header at 0x" + bHeader.ToString("x", null));
    }

    [Fact]
    public void An_overflow_over_a_free_blocks_header_and_links_never_hands_that_block_out()
    {
        nint a = _ledger.Malloc(5000), b = _ledger.Malloc(4080), c = _ledger.Malloc(7000);
        ulong bHeader = HeaderOffset(_pool, b);
        Assert.Equal(BlockCheck.Live, _ledger.Free(b)); // a 4096-byte free block: exactly the head of the list a 4080-byte request takes
        Overflow(a, 32);

        Assert.Equal(0, _ledger.Malloc(4080));
        AssertDamage(_pool, DamageKind.BlockHeader, bHeader, "check word mismatch");
        AssertWalkerNames(_pool, bHeader, "has no valid tag");
        AssertRefusesAllocations(_pool, c);
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(a)); // a free successor must check out before a merges with it
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(c)); // and so must a free predecessor
    }

    [Fact]
    public void A_stray_write_over_a_free_blocks_links_only_is_found_by_decoding_them()
    {
        _ledger.Malloc(5000);
        nint b = _ledger.Malloc(4080);
        _ledger.Malloc(7000);
        ulong bHeader = HeaderOffset(_pool, b);
        Assert.Equal(BlockCheck.Live, _ledger.Free(b));
        new Span<byte>((void*)b, 8).Fill(0x41); // over its encoded links; its header stays intact

        Assert.Equal(0, _ledger.Malloc(4080));
        AssertDamage(_pool, DamageKind.FreeListLink, bHeader, "the next free-list link of the free block at 0x" + bHeader.ToString("x", null) + " decodes to");
        AssertWalkerNames(_pool, bHeader, "free block 0x" + bHeader.ToString("x", null) + " has a wrong back link");
    }

    [Fact]
    public void An_overflow_over_the_next_free_slab_objects_link_is_refused_when_it_would_be_popped()
    {
        nint[] objects = [_ledger.Malloc(64), _ledger.Malloc(64), _ledger.Malloc(64), _ledger.Malloc(64)];
        Assert.True(objects[2] - objects[1] == 64, "the objects of one slab are consecutive");
        Assert.Equal(BlockCheck.Live, _ledger.Free(objects[2]));
        Overflow(objects[1], 4); // over the encoded link of the free object after it
        ulong victim = Off(_pool, objects[2]);

        Assert.Equal(0, _ledger.Malloc(64));
        AssertDamage(_pool, DamageKind.FreeListLink, victim, "decodes to");
        AssertWalkerNames(_pool, victim, "the link in the free object at 0x" + victim.ToString("x", null));
        Assert.Equal(BlockCheck.Live, _ledger.Free(objects[0])); // the slab's header checks out: frees still work
        AssertRefusesAllocations(_pool, objects[3]);
    }

    [SpecRow("hard-slab-magic")]
    [Fact]
    public void An_overflow_from_a_large_block_over_a_slabs_header_is_refused_by_malloc_and_free()
    {
        nint large = _ledger.Malloc(FirstBlockEndingOnAPage(_pool, 3000));
        nint obj = _ledger.Malloc(64);
        _pool.Check(large, out ulong usable);
        ulong slab = Off(_pool, large) + usable;
        Assert.True(SlabOf(_pool, obj) == Granule(slab), $"expected the slab right after the large block, at 0x{slab:x}");
        Overflow(large, 24); // the slab's block header and its keyed magic

        Assert.Equal(0, _ledger.Malloc(64));
        AssertDamage(_pool, DamageKind.SlabHeader, slab, "fails its keyed magic");
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(obj));
        Assert.Equal(BlockCheck.Corrupt, _pool.Check(obj, out _));
        AssertWalkerNames(_pool, slab, "has no valid tag");
    }

    [Fact]
    public void A_short_overflow_over_a_slabs_block_header_is_found_when_the_block_before_it_is_freed()
    {
        nint large = _ledger.Malloc(FirstBlockEndingOnAPage(_pool, 3000));
        nint obj = _ledger.Malloc(64);
        ulong slab = (ulong)SlabOf(_pool, obj) << 4;
        Overflow(large, 13); // the block header's size, previous size, flags and one byte of its check word, not the slab magic

        Assert.NotEqual(0, _ledger.Malloc(64)); // the slab's own header is intact: small requests go on
        Assert.Equal(BlockCheck.Corrupt, _ledger.Free(large));
        AssertDamage(_pool, DamageKind.BlockHeader, slab, "check word mismatch");
        AssertWalkerNames(_pool, slab, "has no valid tag");
    }

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

    /// <summary>
    /// Random work, one overflow of 1 to 80 random bytes past a random live block, then more random work: whatever the
    /// overflow hit, no block handed out overlaps a live one, no call crashes, and once damage is recorded every
    /// allocation fails.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void After_any_overflow_no_block_handed_out_overlaps_a_live_one(int seed)
    {
        var random = new Random(seed);
        nuint NextSize() => random.Next(4) switch
        {
            0 => (nuint)random.Next(0, 129),
            1 => (nuint)random.Next(129, SizeClasses.MaxSmallSize + 1),
            2 => (nuint)random.Next(SizeClasses.MaxSmallSize + 1, 9000),
            _ => (nuint)random.Next(9000, 60_000),
        };
        void Work(int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                nint[] live = [.. _ledger.Live.Keys];
                int op = random.Next(10);
                if (op < 4 || live.Length == 0)
                    _ledger.Malloc(NextSize());
                else if (op < 5)
                    _ledger.Calloc((nuint)random.Next(1, 8), NextSize() / 4);
                else if (op < 7)
                    _ledger.Realloc(live[random.Next(live.Length)], NextSize());
                else
                    _ledger.Free(live[random.Next(live.Length)]);
            }
        }

        Work(120);
        _ledger.Malloc(NextSize());
        nint[] candidates = [.. _ledger.Live.Keys];
        Assert.NotEmpty(candidates);
        nint victim = candidates[random.Next(candidates.Length)];
        _pool.Check(victim, out ulong usable);
        ulong room = _pool.Layout.AreaSize - (Off(_pool, victim) + usable); // never past the area's end
        var garbage = new byte[(int)Math.Min((ulong)random.Next(1, 81), room)];
        random.NextBytes(garbage);
        garbage.CopyTo(new Span<byte>((void*)(victim + (nint)usable), garbage.Length));
        for (int i = 0; i < 200; i++)
        {
            bool damaged = _pool.Damage is not null;
            int liveBefore = _ledger.Live.Count;
            Work(1); // the ledger checks every block handed out against every live one
            Assert.True(!damaged || _ledger.Live.Count <= liveBefore, $"seed {seed}: the pool handed out a block after it recorded damage ({_pool.Damage})");
        }
        IntegrityReport report = _pool.CheckIntegrity(); // reads whatever is there, without crashing
        _output.WriteLine($"seed {seed}: {garbage.Length} bytes past 0x{Off(_pool, victim):x}; damage met: {_pool.Damage?.ToString() ?? "none"}; walker: {report}");
        _pool.Trim();
        Assert.True(_pool.GetStatistics().LiveBlocks >= 0);
    }
}
