using AreaMalloc.Format;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.Slabs;
using AreaMalloc.TestKit.Audit;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>
/// The statistics audit (<see cref="StatisticsAudit"/>) is a law per field: an intact pool passes it in every state, and
/// for every field of <see cref="PoolStatistics"/> a counter that disagrees with the walker's recount, its bound or its
/// history is named, with the expected and the actual value.
/// </summary>
public class StatisticsLawFacts
{
    /// <summary>A pool with large blocks, slabs of three classes, a spare slab, free holes and a refused free.</summary>
    private static PoolAllocator BusyPool()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        nint[] large = [pool.Malloc(3000), pool.Malloc(5000), pool.Malloc(7000), pool.Malloc(9000)];
        nint[] small = [pool.Malloc(16), pool.Malloc(100), pool.Calloc(3, 100)];
        int perSlab = SizeClasses.ObjectsPerSlab(SizeClasses.ClassOf(64));
        var spare = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(64)).ToList();
        spare.ForEach(b => pool.Free(b));
        pool.Free(large[1]);
        pool.Free(small[0]);
        pool.Free(small[0]); // refused
        Assert.Equal(0, pool.Malloc((nuint)1 << 40)); // failed
        return pool;
    }

    [SpecRow("stats-fields")]
    [Fact]
    public void An_intact_pool_passes_the_audit_in_every_state()
    {
        PoolAllocator pool = BusyPool();
        Assert.Null(StatisticsAudit.Describe(pool));
        PoolStatistics s = pool.GetStatistics();
        Assert.True(s.SpareSlabs >= 1 && s.SlabCount >= 3 && s.RefusedFrees == 1 && s.FailedAllocations == 1, s.ToString());
        pool.Trim();
        Assert.Null(StatisticsAudit.Describe(pool, s, out _));
        pool.Delete();
        Assert.Null(StatisticsAudit.Describe(PoolFixture.NewPool(1 << 20)));
    }

    [Fact]
    public void The_walkers_recount_equals_every_counter_of_an_intact_pool()
    {
        PoolAllocator pool = BusyPool();
        PoolStatistics s = pool.GetStatistics();
        PoolRecount r = pool.CheckIntegrity().Recount ?? throw new InvalidOperationException("an intact pool has a recount");
        Assert.Equal((s.LiveBlocks, s.BytesInUse, s.LargeFreeBytes, s.LargeUsedBytes, s.LargestFreeBlock, s.SlabCount, s.SpareSlabs),
            (r.LiveBlocks, r.BytesInUse, r.LargeFreeBytes, r.LargeUsedBytes, r.LargestFreeBlock, r.SlabCount, r.SpareSlabs));
        Assert.Equal(s.SlabsPerClass, r.SlabsPerClass);
        Assert.Equal(s.HeapSize, r.HeapBytes);
        pool.Delete();
    }

    [Fact]
    public void Two_walks_of_one_heap_give_equal_recounts_and_a_changed_class_count_an_unequal_one()
    {
        PoolAllocator pool = BusyPool();
        PoolRecount first = pool.CheckIntegrity().Recount!, second = pool.CheckIntegrity().Recount!;
        pool.Delete();
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, first with { SlabsPerClass = Moved(first.SlabsPerClass) });
        Assert.NotEqual(first, first with { LiveBlocks = first.LiveBlocks + 1 });
        Assert.False(first.Equals(null));
    }

    /// <summary>Each field skewed on its own: the audit names that field, expected (the recount, bound or history) vs actual.</summary>
    [SpecRow("stats-fields")]
    [Theory]
    [InlineData(nameof(PoolStatistics.LiveBlocks))]
    [InlineData(nameof(PoolStatistics.BytesInUse))]
    [InlineData(nameof(PoolStatistics.LargeFreeBytes))]
    [InlineData(nameof(PoolStatistics.LargeUsedBytes))]
    [InlineData(nameof(PoolStatistics.PeakLargeUsedBytes))]
    [InlineData(nameof(PoolStatistics.LargestFreeBlock))]
    [InlineData(nameof(PoolStatistics.SlabCount))]
    [InlineData(nameof(PoolStatistics.SpareSlabs))]
    [InlineData(nameof(PoolStatistics.SlabsPerClass))]
    [InlineData(nameof(PoolStatistics.HeapSize))]
    [InlineData(nameof(PoolStatistics.RefusedFrees))]
    [InlineData(nameof(PoolStatistics.FailedAllocations))]
    [InlineData(nameof(PoolStatistics.CorruptionsDetected))]
    [InlineData(nameof(PoolStatistics.UseAfterFreeWrites))]
    [InlineData(nameof(PoolStatistics.FirstDamage))]
    public void A_counter_that_disagrees_with_its_recount_bound_or_history_is_named(string field)
    {
        PoolAllocator pool = BusyPool();
        PoolStatistics s = pool.GetStatistics();
        IntegrityReport walk = pool.CheckIntegrity();
        var damage = new PoolDamage(DamageKind.BlockHeader, 0x1000, "a header fails its check word");
        // The skewed snapshot, and the earlier snapshot the history laws compare with (the counters went backwards).
        (PoolStatistics skewed, PoolStatistics previous) = field switch
        {
            nameof(s.LiveBlocks) => (s with { LiveBlocks = s.LiveBlocks + 1 }, s),
            nameof(s.BytesInUse) => (s with { BytesInUse = s.BytesInUse - 16 }, s),
            nameof(s.LargeFreeBytes) => (s with { LargeFreeBytes = s.LargeFreeBytes + 4096 }, s),
            nameof(s.LargeUsedBytes) => (s with { LargeUsedBytes = s.LargeUsedBytes - 4096 }, s),
            nameof(s.PeakLargeUsedBytes) => (s with { PeakLargeUsedBytes = s.LargeUsedBytes - 16 }, s),
            nameof(s.LargestFreeBlock) => (s with { LargestFreeBlock = s.LargestFreeBlock + 16 }, s),
            nameof(s.SlabCount) => (s with { SlabCount = s.SlabCount + 1 }, s),
            nameof(s.SpareSlabs) => (s with { SpareSlabs = 0 }, s),
            nameof(s.SlabsPerClass) => (s with { SlabsPerClass = Moved(s.SlabsPerClass) }, s),
            nameof(s.HeapSize) => (s with { HeapSize = s.HeapSize + 4096 }, s),
            nameof(s.RefusedFrees) => (s, s with { RefusedFrees = s.RefusedFrees + 1 }),
            nameof(s.FailedAllocations) => (s, s with { FailedAllocations = s.FailedAllocations + 1 }),
            nameof(s.CorruptionsDetected) => (s with { FirstDamage = damage, UseAfterFreeWrites = 1 }, s),
            nameof(s.UseAfterFreeWrites) => (s with { FirstDamage = damage with { Kind = DamageKind.UseAfterFreeWrite }, CorruptionsDetected = 1 }, s),
            nameof(s.FirstDamage) => (s with { FirstDamage = damage }, s),
            _ => throw new ArgumentException("no such field: " + field, nameof(field)),
        };
        string? laws = StatisticsAudit.Describe(skewed, walk, previous);
        pool.Delete();
        Assert.True(laws is not null && laws.Contains(field + " expected", StringComparison.Ordinal),
            $"skewing {field} must be named as \"{field} expected ..., actual ...\"; the audit said: {laws ?? "nothing"}");
    }

    [Fact]
    public void An_AreaSize_that_is_not_the_areas_size_is_named()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        PoolStatistics s = pool.GetStatistics();
        Assert.Null(StatisticsAudit.AreaLaws(pool.Areas, pool.AreaId, pool.Base, s));
        string? law = StatisticsAudit.AreaLaws(pool.Areas, pool.AreaId, pool.Base, s with { AreaSize = s.AreaSize + 4096 });
        pool.Delete();
        Assert.True(law?.StartsWith("AreaSize expected 1048576", StringComparison.Ordinal) == true, law ?? "nothing was named");
    }

    [Fact]
    public void A_first_damage_that_changes_is_named()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        PoolStatistics s = pool.GetStatistics();
        var first = new PoolDamage(DamageKind.SlabHeader, 0x2000, "slab magic");
        PoolStatistics damaged = s with { FirstDamage = first, CorruptionsDetected = 1 };
        IntegrityReport walk = pool.CheckIntegrity();
        string? laws = StatisticsAudit.Describe(damaged with { FirstDamage = first with { Offset = 0x3000 }, CorruptionsDetected = 2 }, walk, damaged);
        pool.Delete();
        Assert.True(laws?.Contains("FirstDamage expected", StringComparison.Ordinal) == true, laws ?? "nothing was named");
    }

    /// <summary>One slab counted under the wrong class: the same total, a different class.</summary>
    private static int[] Moved(IReadOnlyList<int> perClass)
    {
        int[] moved = [.. perClass];
        int from = Array.FindIndex(moved, n => n > 0);
        moved[from]--;
        moved[(from + 1) % moved.Length]++;
        return moved;
    }
}
