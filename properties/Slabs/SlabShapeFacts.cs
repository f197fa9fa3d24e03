using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Slabs;

/// <summary>
/// The life of an emptied slab (the slab spans are checked by <see cref="SlabFillProperties"/>): the class's only partial slab stays as its spare, any
/// other emptied slab goes back to the large-block heap at once; Trim releases every spare and says how many.
/// </summary>
public sealed unsafe class SlabShapeFacts
{
    [SpecRow("classes-step-128")]
    [Fact]
    public void An_emptied_slab_that_is_not_its_class_s_only_partial_slab_is_released_at_once()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        int c = SizeClasses.ClassOf(1024), perSlab = SizeClasses.ObjectsPerSlab(c);
        nint[] first = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(1024)).ToArray();
        nint[] second = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(1024)).ToArray();
        Assert.Equal(2, pool.GetStatistics().SlabCount);
        // Both slabs full; freeing one object of each puts the first, then the second on the partial list: second -> first.
        pool.Free(first[0]);
        pool.Free(second[0]);
        foreach (nint b in first.Skip(1))
            pool.Free(b);
        // The first slab emptied at the tail of the list, behind the second: released, not kept as a spare.
        PoolStatistics stats = pool.GetStatistics();
        Assert.True(stats.SlabCount == 1 && stats.SpareSlabs == 0, $"after the tail slab emptied: {stats.SlabCount} slabs, {stats.SpareSlabs} spare, expected 1 and 0");
        foreach (nint b in second.Skip(1))
            pool.Free(b);
        // The second slab is now the class's only partial slab: it stays as the spare.
        stats = pool.GetStatistics();
        Assert.True(stats.SlabCount == 1 && stats.SpareSlabs == 1, $"after the only partial slab emptied: {stats.SlabCount} slabs, {stats.SpareSlabs} spare, expected 1 and 1");
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void An_emptied_head_slab_with_another_partial_slab_behind_it_is_released_at_once()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        int c = SizeClasses.ClassOf(1024), perSlab = SizeClasses.ObjectsPerSlab(c);
        nint[] first = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(1024)).ToArray();
        nint[] second = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(1024)).ToArray();
        pool.Free(first[0]);
        pool.Free(second[0]);
        foreach (nint b in second.Skip(1))
            pool.Free(b);
        // The second slab emptied at the head of the list, with the first behind it: released.
        PoolStatistics stats = pool.GetStatistics();
        Assert.True(stats.SlabCount == 1 && stats.SpareSlabs == 0, $"after the head slab emptied: {stats.SlabCount} slabs, {stats.SpareSlabs} spare, expected 1 and 0");
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void An_emptied_only_partial_slab_is_released_when_its_class_already_has_a_spare()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        int c = SizeClasses.ClassOf(1024), perSlab = SizeClasses.ObjectsPerSlab(c);
        nint[] first = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(1024)).ToArray();
        nint[] second = Enumerable.Range(0, perSlab).Select(_ => pool.Malloc(1024)).ToArray();
        pool.Free(first[0]);
        foreach (nint b in first.Skip(1))
            pool.Free(b);
        Assert.Equal(1, pool.GetStatistics().SpareSlabs); // the first slab, the class's only partial slab, is the spare
        pool.Free(second[0]);                             // the second goes on the list in front of the spare
        PoolFixture.AssertIntact(pool);                   // a spare behind another partial slab still counts as listed
        foreach (nint b in second.Skip(1))
            pool.Free(b);
        PoolStatistics stats = pool.GetStatistics();
        Assert.True(stats.SlabCount == 1 && stats.SpareSlabs == 1, $"{stats.SlabCount} slabs, {stats.SpareSlabs} spare, expected 1 and 1");
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }

    [Fact]
    public void Releasing_the_spares_says_how_many_it_released()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        foreach (nuint size in new nuint[] { 16, 100, 1024 })
            pool.Free(pool.Malloc(size)); // each class's slab empties as its only partial slab: a spare
        Assert.Equal(3, pool.GetStatistics().SpareSlabs);
        var slabs = pool.Slabs;
        Assert.Equal(3, slabs.ReleaseSpares());
        Assert.Equal(0, slabs.ReleaseSpares());
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(0, stats.SpareSlabs);
        Assert.Equal(0, stats.SlabCount);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(0, pool.Delete());
    }
}
