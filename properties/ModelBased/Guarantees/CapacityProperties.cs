using AreaMalloc.Areas;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using FsCheck;
using FsCheck.Fluent;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.ModelBased;
using AreaMalloc.Properties.Runner;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.ModelBased.Guarantees;

/// <summary>The capacity guarantee of <see cref="CapacityGuarantee"/>, checked on fresh pools after random histories.</summary>
[Expensive(10)]
public sealed class CapacityProperties
{
    /// <summary>A pool size, a history of requests (allocated, then all freed in shuffled order) and a final request.</summary>
    public sealed record Scenario(ulong PoolSize, IReadOnlyList<int> History, int[] FreeOrder, double FinalFraction)
    {
        public override string ToString() =>
            $"pool {PoolSize}, history [{string.Join(", ", History)}], free order [{string.Join(", ", FreeOrder)}], final {FinalFraction:F3} of MaxSingleRequest";
    }

    private static Arbitrary<Scenario> Scenarios { get; } = Arb.From(
        from pages in Gen.Elements(1, 2, 4, 16, 64, 256)
        from count in Gen.Choose(0, 60)
        from history in Gen.ListOf(Gen.Frequency((5, Gen.Choose(0, 2048)), (2, Gen.Choose(2049, 32768)), (1, Gen.Choose(0, pages * B_PAGE_SIZE))), count)
        from order in Gen.Shuffle(Enumerable.Range(0, count))
        from final in Gen.Frequency((3, Gen.Constant(1.0)), (2, Gen.Choose(0, 1000).Select(x => x / 1000.0)))
        select new Scenario((ulong)pages * B_PAGE_SIZE, history, order, final));

    [BudgetedProperty]
    public Property An_empty_pool_satisfies_any_single_request_up_to_MaxSingleRequest() => Prop.ForAll(Scenarios, s =>
    {
        PoolAllocator pool = NewPool(s.PoolSize);
        try
        {
            ReplayHistory(pool, s);
            ulong n = (ulong)(s.FinalFraction * pool.MaxSingleRequest);
            int spares = pool.GetStatistics().SpareSlabs;
            nint block = s.History.Count % 2 == 0 ? pool.Malloc((nuint)n) : pool.Calloc(1, (nuint)n);
            Assert.True(block != 0, $"an empty pool ({spares} spare slabs) refused {n} <= MaxSingleRequest {pool.MaxSingleRequest}");
            Assert.Equal(BlockCheck.Live, pool.Free(block));
            Assert.Equal(0, pool.Malloc((nuint)pool.MaxSingleRequest + 1));
        }
        finally
        {
            pool.Delete();
        }
    });

    [BudgetedProperty]
    public Property After_every_block_is_freed_the_largest_request_comes_and_goes_and_the_pool_is_pristine_without_trim() => Prop.ForAll(Scenarios, s =>
    {
        PoolAllocator pool = NewPool(s.PoolSize);
        try
        {
            PoolStatistics fresh = pool.GetStatistics();
            Assert.Equal(pool.MaxSingleRequest, fresh.LargestFreeBlock);
            ReplayHistory(pool, s);
            nint largest = pool.Malloc((nuint)pool.MaxSingleRequest);
            Assert.True(largest != 0, $"after every block was freed the pool refused MaxSingleRequest ({pool.MaxSingleRequest})");
            Assert.Equal(BlockCheck.Live, pool.Free(largest));
            string? diff = StatisticsDiff.Describe(fresh, pool.GetStatistics(), StatisticsDiff.HistoryFields);
            Assert.True(diff is null, "not pristine after freeing everything and the largest request (no trim): " + diff);
            Assert.True(pool.CheckIntegrity().IsValid);
        }
        finally
        {
            pool.Delete();
        }
    });

    [BudgetedProperty(CiCases = 60)]
    public Property A_pool_filled_with_one_small_size_holds_at_least_the_guaranteed_count() => Prop.ForAll(
        Arb.From(from pages in Gen.Elements(1, 2, 4, 8, 16, 64, 128)
                 from n in Gen.Frequency((3, Gen.Choose(0, SizeClasses.MaxSmallSize)),
                     (1, from c in Gen.Choose(0, SizeClasses.Count - 1) from d in Gen.Choose(-1, 1) select Math.Clamp(SizeClasses.SizeOf(c) + d, 0, SizeClasses.MaxSmallSize)))
                 select (Size: (ulong)pages * B_PAGE_SIZE, Request: n)),
        c =>
        {
            PoolAllocator pool = NewPool(c.Size);
            try
            {
                long count = 0;
                while (pool.Malloc((nuint)c.Request) != 0)
                {
                    count++;
                }

                PoolStatistics stats = pool.GetStatistics();
                long guaranteed = CapacityGuarantee.MinimumFill(stats.HeapSize, (ulong)c.Request);
                Assert.True(count >= guaranteed,
                    $"a {c.Size}-byte pool held {count} requests of {c.Request} bytes; guaranteed {guaranteed} " +
                    $"(slab cost {CapacityGuarantee.SlabCost((ulong)c.Request):F1}, large cost {CapacityGuarantee.LargeCost((ulong)c.Request)} bytes per request)");
            }
            finally
            {
                pool.Delete();
            }
        });

    [SpecRow("cap-small-requests")]
    [Fact]
    public void A_slab_served_request_costs_at_most_141_percent_of_its_class_size()
    {
        for (int n = 16; n <= SizeClasses.MaxSmallSize; n++)
        {
            int size = SizeClasses.SizeOf(SizeClasses.ClassOf((nuint)n));
            double cost = CapacityGuarantee.SlabCost((ulong)n);
            Assert.True(cost <= 1.41 * size, $"{n} bytes: {cost:F1} heap bytes per object, class {size}");
        }
    }

    [BudgetedProperty]
    public Property Calloc_returns_zeroed_memory_even_when_reusing_blocks() => Prop.ForAll(Scenarios, s =>
    {
        PoolAllocator pool = NewPool(s.PoolSize);
        try
        {
            var dirty = new List<(nint Block, int Size)>();
            foreach (int n in s.History)
            {
                nint b = pool.Malloc((nuint)n);
                if (b != 0)
                {
                    pool.Check(b, out ulong usable);
                    Fill(b, (int)usable, 0xA5);
                    dirty.Add((b, n));
                }
            }

            foreach (int i in s.FreeOrder.Where(i => i < dirty.Count))
            {
                pool.Free(dirty[i].Block);
            }

            foreach ((_, int n) in dirty)
            {
                nint z = pool.Calloc(1, (nuint)n);
                if (z != 0)
                {
                    int at = FirstNonZero(z, n);
                    Assert.True(at < 0, $"calloc(1, {n}) at 0x{z:x} byte {at} is not zero");
                }
            }
        }
        finally
        {
            pool.Delete();
        }
    });

    private static PoolAllocator NewPool(ulong size) =>
        PoolAllocator.Create(new AreaRegistry(new LinuxAreaBackend()), B_ANY_ADDRESS, (nuint)size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out _)
        ?? throw new InvalidOperationException($"create_pool({size}) failed");

    /// <summary>Allocates the history (NULLs skipped), then frees every block in the scenario's order.</summary>
    private static void ReplayHistory(PoolAllocator pool, Scenario s)
    {
        var blocks = s.History.Select(n => pool.Malloc((nuint)n)).ToList();
        foreach (int i in s.FreeOrder)
        {
            if (blocks[i] != 0)
            {
                Assert.Equal(BlockCheck.Live, pool.Free(blocks[i]));
            }
        }

        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
    }

    private static unsafe void Fill(nint block, int length, byte value) => new Span<byte>((void*)block, length).Fill(value);

    private static unsafe int FirstNonZero(nint block, int length) => new ReadOnlySpan<byte>((void*)block, length).IndexOfAnyExcept((byte)0);
}
