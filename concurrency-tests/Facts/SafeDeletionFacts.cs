using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Idiomatic;
using AreaMalloc.BeModule;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.ConcurrencyTests.Facts;

/// <summary>Plain facts (no Coyote) about <see cref="PoolBehavior.SafeDeletion"/> and the Be Book's default.</summary>
public sealed unsafe class SafeDeletionFacts : IDisposable
{
    private const nuint PoolSize = 16 * B_PAGE_SIZE;
    private readonly QuarantiningAreaBackend _backend = new();
    private readonly AreaRegistry _areas;

    /// <summary>A registry over a quarantining backend, so that calls after a delete cannot crash the test.</summary>
    public SafeDeletionFacts() => _areas = new AreaRegistry(_backend);

    /// <inheritdoc />
    public void Dispose() => _backend.Dispose();

    [SpecRow("misuse-delete-race")]
    [Fact]
    public void Every_call_after_a_safe_delete_fails_cleanly_without_touching_the_area()
    {
        PoolAllocator pool = Create(PoolBehavior.SafeDeletion);
        nint block = pool.Malloc(100);
        Assert.NotEqual(0, block);

        Assert.Equal(B_OK, pool.Delete());

        Assert.Equal(0, pool.Malloc(16));
        Assert.Equal(0, pool.Calloc(4, 4));
        Assert.Equal(0, pool.Realloc(block, 200));
        Assert.Equal(0, pool.Realloc(0, 200));
        Assert.Equal(BlockCheck.PoolDeleted, pool.Free(block));
        Assert.Equal(BlockCheck.PoolDeleted, pool.Check(block, out ulong usable));
        Assert.Equal(0UL, usable);
        pool.Trim();
        Assert.Throws<ObjectDisposedException>(() => pool.GetStatistics());
        Assert.Throws<ObjectDisposedException>(() => pool.CheckIntegrity());
        Assert.Equal(B_ERROR, pool.Delete());
        Assert.Empty(_backend.FindWritesAfterUnmap());
        Assert.Equal(0UL, _backend.LiveBytes);
    }

    [SpecRow("misuse-delete-race")]
    [Fact]
    public void A_be_book_pool_deleted_under_a_caller_hands_out_memory_of_the_deleted_area()
    {
        // The hazard the Be Book documents, made visible by the quarantine instead of a crash.
        PoolAllocator pool = Create(PoolBehavior.BeBook);
        Assert.Equal(B_OK, pool.Delete());

        nint block = pool.Malloc(100);

        Assert.NotNull(_backend.FindQuarantined(block));
        Assert.NotEmpty(_backend.FindWritesAfterUnmap());
    }

    [SpecRow("settings-behavior")]
    [Fact]
    public void Pools_are_made_with_the_be_book_behavior_unless_asked_otherwise()
    {
        Assert.Equal(PoolBehavior.BeBook, Create(PoolBehavior.BeBook).Behavior);
        PoolAllocator? pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, PoolSize, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status);
        Assert.Equal(B_OK, status);
        Assert.Equal(PoolBehavior.BeBook, pool!.Behavior);
    }

    [SpecRow("settings-behavior")]
    [Fact]
    public void An_unknown_behavior_is_refused_with_B_BAD_VALUE()
    {
        PoolAllocator? pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, PoolSize, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status, new PoolSettings { Behavior = (PoolBehavior)7 });
        Assert.Null(pool);
        Assert.Equal(B_BAD_VALUE, status);
        Assert.Equal(0, _areas.Count);
    }

    [Fact]
    public void A_module_loaded_with_safe_deletion_gives_it_to_every_pool_it_creates()
    {
        var loader = new ModuleLoader(_areas, new PoolSettings { Behavior = PoolBehavior.SafeDeletion });
        Assert.Equal(B_OK, loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
        void* id = module!.CreatePool(B_ANY_ADDRESS, PoolSize, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);

        Assert.Equal(PoolBehavior.SafeDeletion, module.PoolSettings.Behavior);
        Assert.Equal(PoolBehavior.SafeDeletion, module.FindPool(id)!.Behavior);
        Assert.Equal(B_OK, loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        Assert.Equal(0, _areas.Count);
    }

    [Fact]
    public void The_default_module_keeps_the_be_book_behavior()
    {
        var loader = new ModuleLoader(_areas);
        Assert.Equal(B_OK, loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
        Assert.Equal(PoolBehavior.BeBook, module!.PoolSettings.Behavior);
        Assert.Equal(B_OK, loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
    }

    [Fact]
    public void An_area_pool_with_safe_deletion_throws_ObjectDisposedException_once_disposed()
    {
        AreaPool pool = AreaPool.Create(PoolSize, new PoolOptions { Areas = _areas, Settings = new PoolSettings { Behavior = PoolBehavior.SafeDeletion } });
        nint block = pool.Allocate(64);
        Assert.Equal(PoolBehavior.SafeDeletion, pool.Allocator.Behavior);

        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Allocate(64));
        Assert.Throws<ObjectDisposedException>(() => pool.Free(block));
        Assert.Throws<ObjectDisposedException>(() => pool.Resize(block, 128));
        Assert.Empty(_backend.FindWritesAfterUnmap());
    }

    private PoolAllocator Create(PoolBehavior behavior)
    {
        PoolAllocator? pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, PoolSize, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status, new PoolSettings { Behavior = behavior });
        Assert.True(pool is not null, $"create_pool failed with {status}");
        return pool!;
    }
}
