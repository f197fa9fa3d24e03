using AreaMalloc.Areas;
using AreaMalloc.Idiomatic;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Idiomatic;

/// <summary>
/// A pool seen through a clone of its area at another address (<see cref="PoolView"/>, <see cref="AreaPool.OpenView"/>):
/// the same blocks at the same offsets, the walker passing through it, the view's access enforced by the OS, and every
/// misuse refused with the pool unchanged.
/// </summary>
public sealed unsafe class PoolViewFacts : IDisposable
{
    private const uint Shared = B_READ_AREA | B_WRITE_AREA | B_CLONEABLE_AREA;

    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;
    private readonly AreaPool _pool;

    public PoolViewFacts()
    {
        _areas = new AreaRegistry(_backend);
        _pool = AreaPool.Create(256 * 1024, new PoolOptions { Areas = _areas, Protection = Shared });
    }

    public void Dispose()
    {
        _pool.Dispose();
        foreach (AreaInfo area in _areas.Snapshot())
        {
            _areas.DeleteArea(area.Id);
        }
    }

    private static void Fill(Span<byte> bytes, int seed)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = unchecked((byte)((seed * 31) + i));
        }
    }

    [Fact]
    public void Blocks_allocated_in_the_pool_are_read_through_a_view_at_another_address_at_the_same_offsets()
    {
        nint[] blocks = [_pool.Allocate(10), _pool.Allocate(700), _pool.Allocate(20_000), _pool.AllocateZeroed(3, 100)];
        for (int i = 0; i < blocks.Length; i++)
        {
            Fill(_pool.AsSpan(blocks[i]), i);
        }

        using PoolView view = _pool.OpenView();

        Assert.Equal(PoolViewAccess.ReadOnly, view.Access);
        Assert.NotEqual(_pool.Allocator.Base, view.Base);
        Assert.Equal("r--s", ProcMapsLine.At(view.Base).Permissions);
        for (int i = 0; i < blocks.Length; i++)
        {
            Assert.Equal(view.Base + (blocks[i] - _pool.Allocator.Base), view.AddressOf(blocks[i]));
            Assert.True(view.AsReadOnlySpan(blocks[i]).SequenceEqual(_pool.AsSpan(blocks[i])), $"block {i} reads differently through the view");
            Assert.Equal((int)_pool.UsableSize(blocks[i]), view.AsReadOnlySpan(blocks[i]).Length);
        }

        _pool.AsSpan(blocks[1])[5] = 0xF5; // a write in the pool is in the view at once
        Assert.Equal(0xF5, view.AsReadOnlySpan(blocks[1])[5]);
        Assert.True(view.CheckIntegrity().IsValid);
        Assert.Equal(_pool.CheckIntegrity(), view.CheckIntegrity());
    }

    [Fact]
    public void What_a_read_write_view_writes_is_what_the_pools_block_holds()
    {
        nint block = _pool.Allocate(300);
        using PoolView view = _pool.OpenView(PoolViewAccess.ReadWrite);

        Fill(view.AsSpan(block), 7);

        Assert.Equal("rw-s", ProcMapsLine.At(view.Base).Permissions);
        Assert.True(_pool.AsSpan(block).SequenceEqual(view.AsReadOnlySpan(block)));
        Assert.Equal(unchecked((byte)((7 * 31) + 299)), _pool.AsSpan(block)[299]);
        Assert.True(_pool.CheckIntegrity().IsValid);
    }

    [Fact]
    public void A_read_only_view_refuses_to_hand_out_writable_bytes()
    {
        nint block = _pool.Allocate(64);
        using PoolView view = _pool.OpenView(PoolViewAccess.ReadOnly);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => view.AsSpan(block));
        Assert.Contains("read only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pointer_that_is_not_a_live_block_is_refused_and_nothing_is_read()
    {
        nint block = _pool.Allocate(64), freed = _pool.Allocate(64);
        _pool.Free(freed);
        using PoolView view = _pool.OpenView(PoolViewAccess.ReadWrite);

        foreach (nint bad in new[] { freed, block + 16, block + 1 })
        {
            InvalidBlockException e = Assert.Throws<InvalidBlockException>(() => view.AsReadOnlySpan(bad));
            Assert.Contains($"0x{bad:x} is not a live block of the pool", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidBlockException>(() => view.AsSpan(bad));
        }

        Assert.Equal(1, _pool.GetStatistics().LiveBlocks);
        Assert.Equal(0, _pool.GetStatistics().RefusedFrees);
    }

    [Fact]
    public void Only_addresses_inside_the_pools_area_have_a_place_in_the_view()
    {
        using PoolView view = _pool.OpenView();
        nint start = _pool.Allocator.Base;
        nint end = start + (nint)_pool.Allocator.Layout.AreaSize;

        Assert.Equal(view.Base, view.AddressOf(start));
        Assert.Equal(view.Base + (end - 1 - start), view.AddressOf(end - 1));
        foreach (nint outside in new[] { end, start - 1, 0, view.Base })
        {
            ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => view.AddressOf(outside));
            Assert.Contains("is not inside the pool's area", e.Message, StringComparison.Ordinal);
        }

        Assert.Throws<InvalidBlockException>(() => view.AsReadOnlySpan(0));
    }

    [Fact]
    public void A_private_pool_cannot_be_viewed_or_exported_and_is_unchanged()
    {
        using AreaPool pool = AreaPool.Create(64 * 1024, new PoolOptions { Areas = _areas });
        nint block = pool.Allocate(100);
        int areas = _areas.Count;

        PoolSharingException view = Assert.Throws<PoolSharingException>(() => pool.OpenView());
        PoolSharingException export = Assert.Throws<PoolSharingException>(() => pool.Export());

        Assert.Equal(B_NOT_ALLOWED, view.Status);
        Assert.Contains("B_CLONEABLE_AREA", view.Message, StringComparison.Ordinal);
        Assert.Equal(B_NOT_ALLOWED, export.Status);
        Assert.Contains("B_CLONEABLE_AREA", export.Message, StringComparison.Ordinal);
        Assert.Equal(areas, _areas.Count);
        Assert.Equal(100UL, Math.Min(100UL, pool.UsableSize(block)));
        Assert.True(pool.CheckIntegrity().IsValid);
    }

    [Fact]
    public void A_view_the_OS_has_no_room_for_is_refused_with_its_status()
    {
        _backend.FailMapWith = 12; // ENOMEM

        PoolSharingException e = Assert.Throws<PoolSharingException>(() => _pool.OpenView());

        _backend.FailMapWith = 0;
        Assert.Equal(B_NO_MEMORY, e.Status);
        Assert.Contains("B_NO_MEMORY", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _areas.Count);
    }

    [Fact]
    public void A_shared_pool_exports_the_handle_of_its_area()
    {
        AreaHandle handle = _pool.Export();

        Assert.Equal(_pool.Allocator.AreaId, handle.AreaId);
        Assert.Equal(_pool.Allocator.Base, handle.Address);
        Assert.Equal(Shared, handle.Protection);
        Assert.Equal(Environment.ProcessId, handle.ProcessId);
    }

    [Fact]
    public void Disposing_a_view_deletes_its_clone_and_leaves_the_pool_intact()
    {
        nint block = _pool.Allocate(100);
        _pool.AsSpan(block)[0] = 0x42;
        PoolView view = _pool.OpenView();
        int clone = view.AreaId;

        view.Dispose();
        view.Dispose();

        Assert.Equal(B_BAD_VALUE, _areas.GetAreaInfo(clone, out _));
        Assert.Equal(0x42, _pool.AsSpan(block)[0]);
        Assert.True(_pool.CheckIntegrity().IsValid);
        Assert.Throws<ObjectDisposedException>(() => view.AsReadOnlySpan(block));
        Assert.Throws<ObjectDisposedException>(() => view.AddressOf(block));
        Assert.Throws<ObjectDisposedException>(() => view.CheckIntegrity());
    }

    [Fact]
    public void A_view_whose_clone_the_OS_refuses_to_unmap_stays_open_and_disposing_again_retries()
    {
        nint block = _pool.Allocate(100);
        PoolView view = _pool.OpenView();
        _backend.FailUnmapWith = 12;

        view.Dispose();
        Assert.Equal(B_OK, _areas.GetAreaInfo(view.AreaId, out _));
        Assert.Equal(view.AsReadOnlySpan(block).Length, (int)_pool.UsableSize(block));

        _backend.FailUnmapWith = 0;
        view.Dispose();
        Assert.Equal(B_BAD_VALUE, _areas.GetAreaInfo(view.AreaId, out _));
    }

    [Fact]
    public void After_the_pool_is_disposed_a_view_refuses_every_block_and_still_deletes_its_clone()
    {
        nint block = _pool.Allocate(100);
        PoolView view = _pool.OpenView();
        _pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => view.AsReadOnlySpan(block));
        Assert.Throws<ObjectDisposedException>(() => view.CheckIntegrity());
        Assert.Throws<ObjectDisposedException>(() => _pool.OpenView());
        Assert.Throws<ObjectDisposedException>(() => PoolView.Open(_pool.Allocator));
        Assert.Throws<ObjectDisposedException>(() => _pool.Export());
        view.Dispose();
        Assert.Equal(0, _areas.Count);
    }

    [Fact]
    public void A_view_needs_a_pool_and_a_known_access()
    {
        Assert.Throws<ArgumentNullException>(() => PoolView.Open(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoolView.Open(_pool.Allocator, (PoolViewAccess)2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoolView.Open(_pool.Allocator, (PoolViewAccess)(-1)));
        Assert.Equal(1, _areas.Count);
    }

    [Fact]
    public void A_pool_made_through_the_Be_surface_can_be_viewed_too()
    {
        PoolAllocator pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, 64 * 1024, B_FULL_LOCK, Shared, out int status)
            ?? throw new InvalidOperationException($"create_pool failed with {status}");
        try
        {
            nint block = pool.Malloc(40);
            new Span<byte>((void*)block, 40).Fill(0x17);
            using PoolView view = PoolView.Open(pool);

            Assert.All(view.AsReadOnlySpan(block)[..40].ToArray(), b => Assert.Equal(0x17, b));
            Assert.True(view.CheckIntegrity().IsValid);
            Assert.Equal(B_OK, _areas.GetAreaInfo(view.AreaId, out AreaInfo info));
            Assert.Equal(B_FULL_LOCK, info.Lock);
        }
        finally
        {
            pool.Delete();
        }
    }
}
