using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using FsCheck;
using FsCheck.Fluent;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Properties.Runner;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.Slabs;

/// <summary>
/// The slab span rule of <see cref="SizeClasses"/> and what it buys: every size class, filled alone into an empty pool,
/// uses for class-sized blocks (count x class size / heap bytes) at least 96% of the heap of a pool of 1 MiB or more
/// and at least 90% of a smaller pool's (64 KiB and up, whose partial first and last heap pages weigh more).
/// </summary>
[Expensive(6)]
public sealed unsafe class SlabFillProperties
{
    /// <summary>The bound the fill of a pool of <paramref name="poolBytes"/> bytes must reach.</summary>
    private static double Bound(ulong poolBytes) => poolBytes >= 1 << 20 ? 0.96 : 0.90;

    /// <summary>A class and a pool of 64 KiB to 16 MiB, 64 KiB and 1 MiB often.</summary>
    private static Arbitrary<(int Class, int Pages)> Cases { get; } = Arb.From(
        from c in Gen.Choose(0, SizeClasses.Count - 1)
        from pages in Gen.Frequency((2, Gen.Constant(16)), (2, Gen.Constant(256)), (3, Gen.Choose(16, 1024)), (1, Gen.Constant(4096)))
        select (c, pages));

    [BudgetedProperty(CiCases = 40)]
    public Property Every_class_filled_alone_uses_at_least_96_percent_of_a_1_MiB_heap_and_90_percent_of_a_64_KiB_one() => Prop.ForAll(Cases, k =>
    {
        ulong poolBytes = (ulong)k.Pages * B_PAGE_SIZE;
        int size = SizeClasses.SizeOf(k.Class);
        using var scratch = new ScratchPool(poolBytes);
        PoolAllocator pool = scratch.Allocator;
        long count = 0;
        while (pool.Malloc((nuint)size) != 0)
            count++;
        PoolStatistics stats = pool.GetStatistics();
        double used = (double)count * size / stats.HeapSize;
        Assert.True(used >= Bound(poolBytes),
            $"a {poolBytes}-byte pool (heap {stats.HeapSize}) held {count} blocks of {size} B: {used:P2} of the heap, expected at least {Bound(poolBytes):P0} ({stats.SlabCount} slabs)");
        Assert.True(pool.CheckIntegrity().IsValid);
    });

    [Fact]
    public void The_slab_span_of_every_class_is_the_fewest_pages_that_waste_at_most_a_32nd()
    {
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            int size = SizeClasses.SizeOf(c), pages = 1;
            while (!MeetsTheRule(pages, size))
                pages++;
            Assert.True(pages == SizeClasses.SlabPages(c), $"class {c} ({size} B): {SizeClasses.SlabPages(c)} pages, the rule gives {pages}");
            Assert.Equal((pages * B_PAGE_SIZE - 64) / size, SizeClasses.ObjectsPerSlab(c));
        }

        static bool MeetsTheRule(int pages, int size)
        {
            int bytes = pages * B_PAGE_SIZE - 64;
            return bytes / size >= 4 && (64 + bytes % size) * 32 <= pages * B_PAGE_SIZE;
        }
    }

    [Fact]
    public void The_spans_are_those_the_documentation_lists()
    {
        var expected = new Dictionary<int, int> { [256] = 2, [320] = 2, [384] = 2, [512] = 4, [640] = 3, [768] = 4, [896] = 2, [1024] = 8 };
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            int size = SizeClasses.SizeOf(c);
            int want = expected.GetValueOrDefault(size, 1);
            Assert.True(want == SizeClasses.SlabPages(c), $"class {c} ({size} B): {SizeClasses.SlabPages(c)} pages, the documentation says {want}");
        }
    }

    [Fact]
    public void Every_class_s_first_slab_pages_are_one_page_up_to_896_bytes_and_two_for_1024()
    {
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            int expected = SizeClasses.SizeOf(c) <= 896 ? 1 : 2;
            Assert.True(expected == SizeClasses.FirstSlabPages(c), $"class {c} ({SizeClasses.SizeOf(c)} B): first slab of {SizeClasses.FirstSlabPages(c)} pages, expected {expected}");
        }
    }

    [Fact]
    public void A_slab_starts_with_its_first_pages_and_grows_in_place_doubling_to_its_span_each_time_it_fills()
    {
        using var scratch = new ScratchPool(1 << 20);
        PoolAllocator pool = scratch.Allocator;
        int c = SizeClasses.ClassOf(1024);
        var pagesSeen = new List<ulong>();
        for (int i = 0; i < SizeClasses.ObjectsPerSlab(c) + 1; i++)
        {
            Assert.NotEqual(0, pool.Malloc(1024));
            ulong used = pool.GetStatistics().LargeUsedBytes / B_PAGE_SIZE;
            if (pagesSeen.Count == 0 || pagesSeen[^1] != used)
                pagesSeen.Add(used);
        }
        // 2 pages (7 objects), grown to 4 when the 7th was taken, to 8 at the 15th; the 32nd object opens a second slab of 2 pages.
        Assert.Equal(new ulong[] { 2, 4, 8, 10 }, pagesSeen);
        Assert.Equal(2, pool.GetStatistics().SlabsPerClass[c]);
        Assert.True(pool.CheckIntegrity().IsValid, pool.CheckIntegrity().ToString());
    }

    [Fact]
    public void A_slab_that_fills_beside_a_damaged_header_does_not_grow_and_the_damage_is_recorded()
    {
        using var scratch = new ScratchPool(1 << 20);
        PoolAllocator pool = scratch.Allocator;
        int c = SizeClasses.ClassOf(1024), first = SizeClasses.ObjectsIn(SizeClasses.FirstSlabPages(c), c);
        nint[] blocks = Enumerable.Range(0, first - 1).Select(_ => pool.Malloc(1024)).ToArray();
        ulong slab = (ulong)(blocks[0] - pool.Base) - 64;       // the slab's block: objects start 64 bytes in
        ulong next = slab + (ulong)SizeClasses.FirstSlabPages(c) * B_PAGE_SIZE;
        pool.LargeBlocks.Header(next)->Size ^= 0x40;             // the free block after the slab: an overflow's damage
        Assert.NotEqual(0, pool.Malloc(1024));                   // the object that fills the slab is handed out...
        Assert.True(pool.Damage is { Kind: AreaMalloc.Format.DamageKind.BlockHeader }, $"damage recorded: {pool.Damage}");
        Assert.Equal(0, pool.Malloc(1024));                      // ...the slab did not grow over the damage, and the pool refuses from now on
    }

    [Fact]
    public void A_slab_carved_from_a_shorter_last_run_has_fewer_pages_and_passes_the_walker()
    {
        // A 64 KiB heap holds 14 whole pages: one slab of 1024 B grows to 8 pages, the next grows into the 6 pages left.
        using var scratch = new ScratchPool(64 << 10);
        PoolAllocator pool = scratch.Allocator;
        int c = SizeClasses.ClassOf(1024);
        var blocks = new List<nint>();
        for (nint b; (b = pool.Malloc(1024)) != 0;)
            blocks.Add(b);
        PoolStatistics stats = pool.GetStatistics();
        Assert.True(stats.SlabsPerClass[c] == 2, $"{stats.SlabsPerClass[c]} slabs of 1024 B, expected 2 (8 pages and the 6 left)");
        Assert.Equal(SizeClasses.ObjectsPerSlab(c) + SizeClasses.ObjectsIn(6, c), blocks.Count(b => pool.Slabs.SlabOf((ulong)(b - pool.Base)) != 0));
        Assert.True(pool.CheckIntegrity().IsValid, pool.CheckIntegrity().ToString());
        foreach (nint b in blocks)
            Assert.Equal(BlockCheck.Live, pool.Free(b));
        Assert.True(pool.CheckIntegrity().IsValid, pool.CheckIntegrity().ToString());
    }
}
