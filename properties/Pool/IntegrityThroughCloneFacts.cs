using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Pool;

/// <summary>
/// The pool keeps its metadata by offsets from its area's base, so it means the same wherever the area is mapped: the
/// integrity walker run through a clone at another address sees exactly what it sees on the pool, damage included.
/// </summary>
public sealed unsafe class IntegrityThroughCloneFacts : IDisposable
{
    private const uint Shared = B_READ_AREA | B_WRITE_AREA | B_CLONEABLE_AREA;

    private readonly AreaRegistry _areas = new(new LinuxAreaBackend());
    private readonly List<PoolAllocator> _pools = [];

    public void Dispose()
    {
        foreach (PoolAllocator pool in _pools.Where(p => !p.IsDeleted))
        {
            pool.Delete();
        }

        foreach (AreaInfo area in _areas.Snapshot())
        {
            _areas.DeleteArea(area.Id);
        }
    }

    private PoolAllocator NewPool(uint protection = Shared, PoolSettings? settings = null)
    {
        PoolAllocator pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, 1 << 20, B_NO_LOCK, protection, out int status, settings)
            ?? throw new InvalidOperationException($"create_pool failed with {status}");
        _pools.Add(pool);
        return pool;
    }

    private int CloneOf(PoolAllocator pool, uint protection = B_READ_AREA)
    {
        nint address = 0;
        int id = _areas.CloneArea("walker's clone", ref address, B_ANY_ADDRESS, protection, pool.AreaId);
        Assert.True(id > 0, $"clone_area failed with {id}");
        return id;
    }

    /// <summary>Small and large blocks, some freed: slabs, free blocks and used blocks to walk.</summary>
    private static List<nint> Populate(PoolAllocator pool)
    {
        var blocks = new List<nint>();
        for (int i = 0; i < 60; i++)
        {
            blocks.Add(pool.Malloc((nuint)(i % 3 == 0 ? 3000 + (i * 97) : 16 + (i * 13))));
        }

        for (int i = 0; i < blocks.Count; i += 4)
        {
            Assert.Equal(BlockCheck.Live, pool.Free(blocks[i]));
        }

        return blocks;
    }

    [Fact]
    public void The_walker_through_a_clone_at_another_address_finds_exactly_what_it_finds_on_the_pool()
    {
        PoolAllocator pool = NewPool();
        Populate(pool);
        int clone = CloneOf(pool);
        Assert.Equal(B_OK, _areas.GetAreaInfo(clone, out AreaInfo info));

        IntegrityReport direct = pool.CheckIntegrity(), through = pool.CheckIntegrityThrough(clone);

        Assert.NotEqual(pool.Base, info.Address);
        Assert.True(through.IsValid, through.ToString());
        Assert.Equal(direct, through);
        Assert.True(through.Slabs > 0 && through.FreeBlocks > 0, through.ToString());
    }

    [Fact]
    public void Damage_written_through_a_writable_clone_is_named_at_the_same_offset_by_both_walks()
    {
        PoolAllocator pool = NewPool();
        nint a = pool.Malloc(5000), b = pool.Malloc(6000);
        int clone = CloneOf(pool, B_READ_AREA | B_WRITE_AREA);
        _areas.GetAreaInfo(clone, out AreaInfo info);
        Assert.Equal(BlockCheck.Live, pool.Check(a, out ulong usable));

        new Span<byte>((void*)(info.Address + (a - pool.Base) + (nint)usable), 16).Fill(0x41); // over b's header, through the clone

        IntegrityReport direct = pool.CheckIntegrity(), through = pool.CheckIntegrityThrough(clone);
        Assert.False(through.IsValid);
        Assert.Equal(direct, through);
        Assert.Equal((ulong)(b - pool.Base) - 16, through.Offset);
    }

    [Fact]
    public void A_caching_pool_is_drained_before_the_walk_through_its_clone()
    {
        PoolAllocator pool = NewPool(settings: PoolSettings.Default with { Caching = PoolCaching.ThreadMagazines });
        Populate(pool);
        int clone = CloneOf(pool);

        IntegrityReport through = pool.CheckIntegrityThrough(clone);
        Assert.True(through.IsValid, through.ToString());
        Assert.Equal(0, pool.CachedBlocks);
    }

    [Fact]
    public void Only_a_readable_live_area_that_maps_the_pools_memory_can_be_walked_through()
    {
        PoolAllocator pool = NewPool(), other = NewPool();
        int unreadable = CloneOf(pool, 0);
        int deleted = CloneOf(pool);
        _areas.DeleteArea(deleted);

        foreach (int area in new[] { CloneOf(other), unreadable, deleted, 0, -1, 987_654 })
        {
            ArgumentException e = Assert.Throws<ArgumentException>(() => pool.CheckIntegrityThrough(area));
            Assert.Contains($"area {area} is not a readable clone of the pool's area {pool.AreaId}", e.Message, StringComparison.Ordinal);
        }

        Assert.True(pool.CheckIntegrityThrough(CloneOf(pool, B_KERNEL_READ_AREA)).IsValid);
        Assert.True(pool.CheckIntegrityThrough(pool.AreaId).IsValid); // the pool's own mapping is one of its memory's mappings
    }

    [Fact]
    public void A_private_pool_has_no_clone_to_walk_through()
    {
        PoolAllocator pool = NewPool(B_READ_AREA | B_WRITE_AREA);

        Assert.Throws<ArgumentException>(() => pool.CheckIntegrityThrough(pool.AreaId));
        nint address = 0;
        Assert.Equal(B_NOT_ALLOWED, _areas.CloneArea("clone", ref address, B_ANY_ADDRESS, B_READ_AREA, pool.AreaId));
    }

    [Fact]
    public void A_deleted_pool_refuses_the_walk_through_a_clone_that_outlived_it()
    {
        PoolAllocator pool = NewPool();
        int clone = CloneOf(pool);
        Assert.Equal(B_OK, pool.Delete());

        Assert.Throws<ObjectDisposedException>(() => pool.CheckIntegrityThrough(clone));
        Assert.Equal(B_OK, _areas.GetAreaInfo(clone, out _));
    }

    [Fact]
    public void The_pool_tells_which_registry_its_area_is_in()
    {
        PoolAllocator pool = NewPool();

        Assert.Same(_areas, pool.Areas);
        Assert.Equal(B_OK, pool.Areas.GetAreaInfo(pool.AreaId, out AreaInfo info));
        Assert.Equal(pool.Base, info.Address);
    }
}
