using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Properties.Support;
using static AreaMalloc.Properties.Support.Forge;
using AreaMalloc.Format;
using AreaMalloc.Idiomatic;
using AreaMalloc.BeModule;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Hardening;

/// <summary>
/// <see cref="PoolHardening.PoisonFreedMemory"/>: freed bytes get the poison byte (0xDE), except the bytes a free
/// block's links use; when bytes are handed out again they are checked, and a changed byte is a use-after-free write:
/// the allocation returns NULL, the pool records it (count and first offset) and refuses allocations from then on, and
/// the walker names the free block. Without the option nothing is filled or checked. calloc still returns zeroes.
/// </summary>
public unsafe class PoisonFacts : IDisposable
{
    private const byte Poison = 0xDE;
    private readonly PoolAllocator _pool = NewPool(poison: true);

    public void Dispose()
    {
        _pool.Delete();
        GC.SuppressFinalize(this);
    }

    private static string Hex(ulong offset) => "0x" + offset.ToString("x", null);

    private static void AssertPoisoned(nint from, int length, string what)
    {
        int at = new ReadOnlySpan<byte>((void*)from, length).IndexOfAnyExcept(Poison);
        Assert.True(at < 0, $"{what}: expected {length} bytes of poison 0x{Poison:x2}; byte {at} is 0x{(at < 0 ? 0 : ((byte*)from)[at]):x2}");
    }

    [Fact]
    public void A_freed_slab_object_holds_the_poison_past_its_link()
    {
        nint obj = _pool.Malloc(64);
        _pool.Malloc(64);
        new Span<byte>((void*)obj, 64).Fill(0x11);
        _pool.Free(obj);
        AssertPoisoned(obj + 4, 60, "the freed 64-byte object past its 4-byte link");
        Assert.Equal(PoolHardening.PoisonFreedMemory, _pool.Hardening);
        AssertUndamaged(_pool);
        Assert.Equal(obj, _pool.Malloc(64)); // its poison intact, it is handed out again
        AssertUndamaged(_pool);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(63)]
    public void A_write_into_any_poisoned_byte_of_a_freed_slab_object_is_reported(int at)
    {
        nint obj = _pool.Malloc(64);
        _pool.Malloc(64);
        _pool.Free(obj);
        ((byte*)obj)[at] = 0;
        Assert.Equal(0, _pool.Malloc(64));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, Off(_pool, obj) + (ulong)at, "byte " + at + " of the free object");
    }

    [Fact]
    public void A_freed_large_block_holds_the_poison_and_so_do_the_headers_it_merged_with()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000), c = _pool.Malloc(7000);
        _pool.Malloc(100_000);
        foreach ((nint block, int size) in new[] { (a, 5008), (b, 6000), (c, 7008) })
            new Span<byte>((void*)block, size).Fill(0x11);
        _pool.Free(b);
        AssertPoisoned(b + 16, 6000 - 16, "b's payload past its 16-byte link area");
        _pool.Free(a); // merges with b: b's header and links now lie inside a's payload
        _pool.Free(c); // merges with a+b
        AssertPoisoned(a + 16, 5024 + 6016 + 7024 - 32, "the merged block's payload past its link area");
        AssertUndamaged(_pool); // the walker checks the poison of every free block too
    }

    [Fact]
    public void A_write_into_a_freed_slab_object_is_reported_when_it_would_be_handed_out_again()
    {
        nint obj = _pool.Malloc(64), other = _pool.Malloc(64);
        _pool.Free(obj);
        ((byte*)obj)[10] = 0x42;
        AssertWalkerNames(_pool, Off(_pool, obj), "use-after-free write in the free object at " + Hex(Off(_pool, obj)));

        Assert.Equal(0, _pool.Malloc(64));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, Off(_pool, obj) + 10, "use-after-free write: byte 10 of the free object at " + Hex(Off(_pool, obj)) + " is 0x42, not the poison 0xde");
        PoolStatistics stats = _pool.GetStatistics();
        Assert.True(stats is { UseAfterFreeWrites: 1, CorruptionsDetected: 0, FailedAllocations: 1 }, $"expected one use-after-free write, no corruption, one failure; actual {stats}");
        AssertRefusesAllocations(_pool, other);
        Assert.Equal(BlockCheck.Live, _pool.Free(other));
    }

    [SpecRow("misuse-use-after-free")]
    [Fact]
    public void A_write_into_a_freed_large_block_is_reported_when_it_would_be_handed_out_again()
    {
        _pool.Malloc(5000);
        nint b = _pool.Malloc(4080);
        _pool.Malloc(7000);
        _pool.Free(b);
        ((byte*)b)[4000] = 0;
        AssertWalkerNames(_pool, HeaderOffset(_pool, b), "use-after-free write in the free block at " + Hex(HeaderOffset(_pool, b)) + ": the byte at " + Hex(Off(_pool, b) + 4000) + " is 0x00");

        Assert.Equal(0, _pool.Malloc(4080));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, Off(_pool, b) + 4000, "use-after-free write: the freed byte at " + Hex(Off(_pool, b) + 4000) + " is 0x00");
        Assert.Equal(1, _pool.GetStatistics().UseAfterFreeWrites);
    }

    [Fact]
    public void A_write_into_freed_memory_that_a_grow_in_place_would_absorb_is_reported()
    {
        nint a = _pool.Malloc(5000), b = _pool.Malloc(6000);
        _pool.Malloc(7000);
        _pool.Free(b);
        ((byte*)b)[200] = 1;
        Assert.Equal(0, _pool.Realloc(a, 8000));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, Off(_pool, b) + 200, "use-after-free write");
        Assert.Equal(BlockCheck.Live, _pool.Check(a, out ulong usable));
        Assert.Equal(5008UL, usable);
    }

    [Fact]
    public void A_write_into_freed_memory_that_a_new_slab_would_cover_is_reported()
    {
        nint large = _pool.Malloc(20_000); // the heap's first block; freed, it merges with the tail
        _pool.Free(large);
        ulong block = _pool.Layout.HeapStart;
        ulong target = (block + 4095) & ~4095UL;
        if (target != block && target - block < 32)
            target += 4096;
        ((byte*)At(_pool, target))[100] = 7; // inside the first page a slab would take
        Assert.Equal(0, _pool.Malloc(64));
        AssertDamage(_pool, DamageKind.UseAfterFreeWrite, target + 100, "use-after-free write");
        Assert.Equal(0, _pool.GetStatistics().SlabCount);
    }

    [Fact]
    public void A_write_over_a_freed_objects_link_is_refused_as_a_bad_link()
    {
        nint obj = _pool.Malloc(64);
        _pool.Malloc(64);
        _pool.Free(obj);
        *(uint*)obj ^= 0x0001_0000;
        Assert.Equal(0, _pool.Malloc(64));
        AssertDamage(_pool, DamageKind.FreeListLink, Off(_pool, obj), "decodes to");
    }

    [SpecRow("misuse-use-after-free")]
    [Fact]
    public void Without_the_option_freed_memory_keeps_its_bytes_and_a_write_into_it_goes_unnoticed()
    {
        PoolAllocator plain = NewPool(poison: false);
        try
        {
            nint obj = plain.Malloc(64), large = plain.Malloc(4080);
            plain.Malloc(64);
            plain.Malloc(7000);
            new Span<byte>((void*)obj, 64).Fill(0x11);
            new Span<byte>((void*)large, 4080).Fill(0x11);
            plain.Free(obj);
            plain.Free(large);
            Assert.True(new ReadOnlySpan<byte>((void*)(obj + 4), 60).IndexOfAnyExcept((byte)0x11) < 0, "a plain pool wrote into a freed object");
            Assert.True(new ReadOnlySpan<byte>((void*)(large + 16), 4064).IndexOfAnyExcept((byte)0x11) < 0, "a plain pool wrote into a freed block");
            ((byte*)obj)[10] = 0x42;
            ((byte*)large)[100] = 0x42;
            Assert.Equal(obj, plain.Malloc(64));
            Assert.Equal(large, plain.Malloc(4080));
            Assert.Equal(PoolHardening.None, plain.Hardening);
            AssertUndamaged(plain);
        }
        finally
        {
            plain.Delete();
        }
    }

    public static TheoryData<int> CallocSizes => new() { 1, 64, 100, 1024, 1100, 5000, 70_000 };

    [Theory]
    [MemberData(nameof(CallocSizes))]
    public void Calloc_over_poisoned_memory_returns_zeroes(int size)
    {
        var blocks = new List<nint>();
        for (int i = 0; i < 6; i++)
            blocks.Add(_pool.Malloc((nuint)size));
        blocks.ForEach(b => new Span<byte>((void*)b, size).Fill(0x11));
        blocks.ForEach(b => _pool.Free(b));
        for (int i = 0; i < 6; i++)
        {
            nint zeroed = _pool.Calloc(1, (nuint)size);
            Assert.True(zeroed != 0, $"calloc({size}) over memory freed intact returned NULL ({_pool.Damage})");
            _pool.Check(zeroed, out ulong usable);
            int at = new ReadOnlySpan<byte>((void*)zeroed, (int)usable).IndexOfAnyExcept((byte)0);
            Assert.True(at < 0, $"calloc({size}) over poisoned memory: byte {at} of 0x{zeroed:x} is 0x{(at < 0 ? 0 : ((byte*)zeroed)[at]):x2}, expected 0");
        }
        AssertUndamaged(_pool);
    }

    [Fact]
    public void Poison_is_never_written_above_the_dirty_mark_so_calloc_of_fresh_memory_stays_zero()
    {
        nint a = _pool.Malloc(5000);
        a = _pool.Realloc(a, 100_000); // grows into never-written memory
        a = _pool.Realloc(a, 6000); // gives most of it back: only bytes below the dirty mark are poisoned
        Assert.NotEqual(0, a);
        nint fresh = _pool.Calloc(1, 300_000);
        int at = new ReadOnlySpan<byte>((void*)fresh, 300_000).IndexOfAnyExcept((byte)0);
        Assert.True(at < 0, $"calloc(300000) after a grow and shrink: byte {at} is 0x{(at < 0 ? 0 : ((byte*)fresh)[at]):x2}, expected 0");
        AssertUndamaged(_pool);
    }

    [Fact]
    public void The_free_front_left_before_a_new_slab_is_poisoned_so_it_can_be_handed_out_and_walked()
    {
        // A first block ending 48 bytes past a page boundary: the next slab starts a page later, and the 4048 bytes
        // before it stay a free block whose bytes were never written when the slab is carved.
        ulong page = PagePastAFirstBlock(_pool);
        nint first = _pool.Malloc((nuint)(page + 48 - _pool.Layout.HeapStart - 16));
        nint obj = _pool.Malloc(64);
        ulong front = Off(_pool, first) - 16 + (ulong)(page + 48 - _pool.Layout.HeapStart);
        Assert.True(SlabOf(_pool, obj) == Granule(page + 4096), $"expected the slab at 0x{page + 4096:x}");
        AssertUndamaged(_pool); // the walker finds the front poisoned, not zero

        (int fl, int sl) = AreaMalloc.LargeBlocks.TlsfMapping.MapInsert(page + 4096 - front);
        ulong request = AreaMalloc.LargeBlocks.TlsfMapping.ListLowerBound(fl, sl) - 16; // a request the front's list serves
        nint zeroed = _pool.Calloc(1, (nuint)request);
        Assert.True(Off(_pool, zeroed) == front + 16, $"expected the block at 0x{front:x}; actual 0x{Off(_pool, zeroed) - 16:x}");
        Assert.True(new ReadOnlySpan<byte>((void*)zeroed, (int)request).IndexOfAnyExcept((byte)0) < 0, "calloc from the poisoned front is not zero");
        AssertUndamaged(_pool);
    }

    [Fact]
    public void Mixed_work_on_a_poisoned_pool_keeps_every_invariant()
    {
        var random = new Random(7);
        var ledger = new Ledger(_pool);
        for (int i = 0; i < 600; i++)
        {
            nint[] live = [.. ledger.Live.Keys];
            nuint size = random.Next(3) switch
            {
                0 => (nuint)random.Next(0, 200),
                1 => (nuint)random.Next(200, 1100),
                _ => (nuint)random.Next(1100, 40_000),
            };
            int op = random.Next(10);
            if (op < 3 || live.Length == 0)
                Assert.True(ledger.Malloc(size) != 0, $"step {i}: malloc({size}) returned NULL ({_pool.Damage})");
            else if (op < 4)
                Assert.True(ledger.Calloc(1, size) != 0, $"step {i}: calloc(1, {size}) returned NULL ({_pool.Damage})");
            else if (op < 6)
                ledger.Realloc(live[random.Next(live.Length)], size);
            else
                ledger.Free(live[random.Next(live.Length)]);
            if (i % 50 == 0)
                AssertUndamaged(_pool);
        }
        foreach (nint block in ledger.Live.Keys.ToList())
            ledger.Free(block);
        _pool.Trim();
        AssertUndamaged(_pool);
    }

    [SpecRow("misuse-use-after-free")]
    [Fact]
    public void An_AreaPool_with_PoisonFreedMemory_throws_PoolCorruptedException_on_a_use_after_free_write()
    {
        using AreaPool pool = AreaPool.Create(1 << 20, new PoolOptions { Areas = new AreaRegistry(new LinuxAreaBackend()), Settings = new PoolSettings { Hardening = PoolHardening.PoisonFreedMemory } });
        Assert.Equal(PoolHardening.PoisonFreedMemory, pool.Allocator.Hardening);
        nint b = pool.Allocate(100), c = pool.Allocate(100);
        pool.Free(b);
        ((byte*)b)[20] = 0x42;
        var error = Assert.Throws<PoolCorruptedException>(() => pool.Allocate(100));
        Assert.Equal(DamageKind.UseAfterFreeWrite, error.Damage?.Kind);
        Assert.Contains("use-after-free write", error.Message, StringComparison.Ordinal);
        Assert.Throws<PoolCorruptedException>(() => pool.Allocate(5000)); // every later allocation too
        Assert.Throws<PoolCorruptedException>(() => pool.AllocateZeroed(2, 50));
        Assert.Throws<PoolCorruptedException>(() => pool.Resize(c, 3000));
        pool.Free(c); // blocks that check out are still freed
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
    }

    [Fact]
    public void An_AreaPool_made_without_the_option_does_not_poison_and_names_a_NULL_block()
    {
        using AreaPool pool = AreaPool.Create(1 << 20, new PoolOptions { Areas = new AreaRegistry(new LinuxAreaBackend()) });
        Assert.Equal(PoolHardening.None, pool.Allocator.Hardening);
        nint b = pool.Allocate(100);
        new Span<byte>((void*)b, 100).Fill(0x42);
        pool.Free(b);
        Assert.True(new ReadOnlySpan<byte>((void*)(b + 16), 84).IndexOfAnyExcept((byte)0x42) < 0, "freed bytes past the link changed without the poison option");
        var refused = Assert.Throws<InvalidBlockException>(() => pool.UsableSize(0));
        Assert.Equal("Pointer 0x0 is NULL; the pool is unchanged. (Parameter 'block')", refused.Message);
    }

    [SpecRow("misuse-overflow")]
    [Fact]
    public void An_AreaPool_refuses_a_block_next_to_an_overflow_and_then_every_allocation()
    {
        using AreaPool pool = AreaPool.Create(1 << 20, new PoolOptions { Areas = new AreaRegistry(new LinuxAreaBackend()) });
        nint a = pool.Allocate(5000), b = pool.Allocate(6000);
        new Span<byte>((void*)(a + 5008), 16).Fill(0x41); // past a's end, over b's boundary tag
        var refused = Assert.Throws<InvalidBlockException>(() => pool.Free(b));
        Assert.Contains("metadata (or a neighbour's) is damaged", refused.Message, StringComparison.Ordinal);
        Assert.Contains("check word mismatch", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"the pool refuses to follow it ({pool.Allocator.Damage}); the pool is unchanged.", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidBlockException>(() => pool.AsSpan(b));
        var error = Assert.Throws<PoolCorruptedException>(() => pool.Allocate(10));
        Assert.Equal(DamageKind.BlockHeader, error.Damage?.Kind);
        Assert.Contains("refuses every allocation", error.Message, StringComparison.Ordinal);
    }

    [SpecRow("settings-hardening")]
    [Fact]
    public void A_module_gives_its_pools_the_hardening_its_loader_was_made_with()
    {
        var areas = new AreaRegistry(new LinuxAreaBackend());
        foreach (PoolHardening hardening in new[] { PoolHardening.None, PoolHardening.PoisonFreedMemory })
        {
            var loader = hardening == PoolHardening.None ? new ModuleLoader(areas) : new ModuleLoader(areas, new PoolSettings { Hardening = hardening });
            Assert.Equal(B_OK, loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
            Assert.Equal(hardening, module!.PoolSettings.Hardening);
            void* id = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
            Assert.Equal(hardening, module.FindPool(id)!.Hardening);
            Assert.Equal(B_OK, loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        }
    }

    [Fact]
    public void PoolCorruptedException_carries_its_message_cause_and_damage()
    {
        var damage = new PoolDamage(DamageKind.SlabHeader, 0x4000, "the slab header fails its keyed magic");
        Assert.Null(new PoolCorruptedException().Damage);
        Assert.Equal("m", new PoolCorruptedException("m").Message);
        var cause = new InvalidOperationException("cause");
        Assert.Same(cause, new PoolCorruptedException("m", cause).InnerException);
        Assert.Same(damage, new PoolCorruptedException("m", damage).Damage);
        Assert.Equal("SlabHeader at offset 0x4000: the slab header fails its keyed magic", damage.ToString());
    }

    [SpecRow("settings-hardening")]
    [Fact]
    public void Create_refuses_hardening_flags_it_does_not_know()
    {
        PoolAllocator? pool = PoolAllocator.Create(new AreaRegistry(new LinuxAreaBackend()), B_ANY_ADDRESS, 1 << 16, B_NO_LOCK,
            B_READ_AREA | B_WRITE_AREA, out int status, new PoolSettings { Hardening = (PoolHardening)2 });
        Assert.True(pool is null && status == B_BAD_VALUE, $"expected NULL and B_BAD_VALUE; actual {(pool is null ? "NULL" : "a pool")} and {status}");
    }
}
