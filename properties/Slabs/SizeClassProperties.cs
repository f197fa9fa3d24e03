using AreaMalloc.Slabs;
using FsCheck;
using FsCheck.Fluent;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Properties.Runner;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.Slabs;

/// <summary>The size-class arithmetic of <see cref="SizeClasses"/>, as the documentation states it.</summary>
[Expensive(1)]
public sealed class SizeClassProperties
{
    /// <summary>Requests of 0 to MaxSmallSize bytes, with the class boundaries (and their neighbours) often.</summary>
    private static Arbitrary<int> SmallRequest { get; } = Arb.From(Gen.Frequency(
        (1, Gen.Choose(0, SizeClasses.MaxSmallSize)),
        (1, from c in Gen.Choose(0, SizeClasses.Count - 1) from d in Gen.Choose(-1, 1)
            select Math.Clamp(SizeClasses.SizeOf(c) + d, 0, SizeClasses.MaxSmallSize))));

    private static Arbitrary<int> ClassIndex { get; } = Arb.From(Gen.Choose(0, SizeClasses.Count - 1));

    [BudgetedProperty]
    public Property Every_small_request_gets_the_smallest_class_that_holds_it() => Prop.ForAll(SmallRequest, n =>
    {
        int c = SizeClasses.ClassOf((nuint)n);
        int need = Math.Max(n, 1);
        Assert.True(SizeClasses.SizeOf(c) >= need, $"class {c} ({SizeClasses.SizeOf(c)} bytes) cannot hold {n}");
        if (c > 0)
        {
            Assert.True(SizeClasses.SizeOf(c - 1) < need, $"class {c - 1} ({SizeClasses.SizeOf(c - 1)} bytes) already holds {n}");
        }
    });

    [BudgetedProperty]
    public Property Class_index_is_monotonic_in_the_request() => Prop.ForAll(SmallRequest, SmallRequest, (a, b) =>
    {
        (int lo, int hi) = a <= b ? (a, b) : (b, a);
        Assert.True(SizeClasses.ClassOf((nuint)lo) <= SizeClasses.ClassOf((nuint)hi), $"class of {lo} is above class of {hi}");
    });

    [BudgetedProperty]
    public Property Rounding_wastes_under_16_bytes_up_to_128_and_at_most_a_quarter_above() => Prop.ForAll(SmallRequest, n =>
    {
        int size = SizeClasses.SizeOf(SizeClasses.ClassOf((nuint)n));
        int need = Math.Max(n, 1);
        if (need <= 128)
        {
            Assert.True(size - need < 16, $"{need} bytes rounded to {size}: {size - need} bytes wasted");
        }
        else
        {
            Assert.True(4 * size <= 5 * need, $"{need} bytes rounded to {size}: more than 25% of the request wasted");
        }
    });

    [BudgetedProperty(CiCases = 48)]
    public Property Classes_are_increasing_multiples_of_16_so_every_object_is_aligned() => Prop.ForAll(ClassIndex, c =>
    {
        Assert.Equal(0, SizeClasses.SizeOf(c) % 16);
        Assert.True(c == 0 || SizeClasses.SizeOf(c - 1) < SizeClasses.SizeOf(c), $"class {c} is not above class {c - 1}");
    });

    [BudgetedProperty(CiCases = 48)]
    public Property A_slab_holds_at_least_4_objects_and_wastes_at_most_a_32nd_of_its_pages() => Prop.ForAll(ClassIndex, c =>
    {
        int bytes = SizeClasses.ObjectBytes(SizeClasses.SlabPages(c));
        int objects = SizeClasses.ObjectsPerSlab(c);
        Assert.Equal(SizeClasses.SlabPages(c) * B_PAGE_SIZE - 64, bytes);
        Assert.Equal(bytes / SizeClasses.SizeOf(c), objects);
        Assert.True(objects >= 4, $"class {c}: {objects} objects per slab");
        int pageBytes = SizeClasses.SlabPages(c) * B_PAGE_SIZE, wasted = pageBytes - objects * SizeClasses.SizeOf(c);
        Assert.True(wasted * SizeClasses.WasteDivisor <= pageBytes, $"class {c}: {wasted} of {pageBytes} bytes wasted (prefix and left-over)");
    });

    [BudgetedProperty]
    public Property A_small_block_is_usable_for_exactly_its_class_size() => Prop.ForAll(SmallRequest, n =>
    {
        using var pool = new ScratchPool(256 * 1024);
        nint block = pool.Allocator.Malloc((nuint)n);
        Assert.NotEqual(0, block);
        pool.Allocator.Check(block, out ulong usable);
        Assert.Equal((ulong)SizeClasses.SizeOf(SizeClasses.ClassOf((nuint)n)), usable);
    });
}
