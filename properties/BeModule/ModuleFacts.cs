using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Pool;
using AreaMalloc.BeModule;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.BeModule;

/// <summary>The Be module: get/put with reference counting, pool ids, delete_pool's B_OK/B_ERROR.</summary>
public unsafe class ModuleFacts
{
    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;
    private readonly ModuleLoader _loader;

    public ModuleFacts()
    {
        _areas = new AreaRegistry(_backend);
        _loader = new ModuleLoader(_areas);
    }

    private AreaMallocModule Get()
    {
        Assert.Equal(B_OK, _loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
        return module!;
    }

    [SpecRow("mod-get")]
    [Fact]
    public void The_module_is_found_by_its_Be_name()
    {
        Assert.Equal("generic/area_malloc/v1", B_AREA_MALLOC_MODULE_NAME);
        Assert.NotNull(Get());
        Assert.Equal(1, _loader.Users);
    }

    [SpecRow("mod-get")]
    [Theory]
    [InlineData("generic/area_malloc/v2")]
    [InlineData("")]
    [InlineData("GENERIC/AREA_MALLOC/V1")]
    public void An_unknown_module_name_is_B_ENTRY_NOT_FOUND(string name)
    {
        Assert.Equal(B_ENTRY_NOT_FOUND, _loader.GetModule(name, out AreaMallocModule? module));
        Assert.Null(module);
        Assert.Equal(B_BAD_VALUE, _loader.PutModule(name));
        Assert.Equal(0, _loader.Users);
    }

    [SpecRow("mod-put")]
    [Fact]
    public void Put_without_get_is_B_BAD_VALUE()
    {
        Assert.Equal(B_BAD_VALUE, _loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
    }

    [SpecRow("mod-last-put")]
    [Fact]
    public void Every_get_returns_the_same_module_and_the_last_put_deletes_every_remaining_pool()
    {
        AreaMallocModule first = Get(), second = Get();
        Assert.Same(first, second);
        void* a = first.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        void* b = second.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.True(first.Malloc(a, 100) != null);
        Assert.Equal(B_OK, _loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        Assert.Equal(2, _areas.Count);
        Assert.Equal(B_OK, _loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.MappedBytes);
        Assert.Equal(B_ERROR, first.DeletePool(a));
        Assert.Equal(B_ERROR, first.DeletePool(b));
        Assert.True(first.Malloc(a, 10) == null);
        Assert.Equal(B_BAD_VALUE, _loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        AreaMallocModule again = Get();
        Assert.NotSame(first, again);
        Assert.Equal(0, again.PoolCount);
    }

    [SpecRow("mod-delete-once")]
    [SpecRow("misuse-deleted-pool")]
    [Fact]
    public void Delete_pool_is_B_OK_once_then_B_ERROR_and_every_call_on_the_deleted_pool_is_null()
    {
        AreaMallocModule module = Get();
        void* pool = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        void* block = module.Malloc(pool, 64);
        Assert.Equal(B_OK, module.DeletePool(pool));
        Assert.Equal(B_ERROR, module.DeletePool(pool));
        Assert.True(module.Malloc(pool, 64) == null);
        Assert.True(module.Calloc(pool, 2, 64) == null);
        Assert.True(module.Realloc(pool, block, 128) == null);
        module.Free(pool, block); // ignored: the id names no pool
        Assert.Null(module.FindPool(pool));
        Assert.Equal(0, _areas.Count);
    }

    [SpecRow("mod-delete-refused")]
    [SpecRow("misuse-os-refuses-unmap")]
    [Fact]
    public void A_delete_pool_the_OS_refuses_is_B_ERROR_and_the_pool_stays_usable_and_deletable()
    {
        AreaMallocModule module = Get();
        void* pool = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        _backend.FailUnmapWith = AreaMalloc.Areas.LinuxErrno.EINVAL;
        Assert.Equal(B_ERROR, module.DeletePool(pool));
        Assert.True(module.Malloc(pool, 16) != null);
        _backend.FailUnmapWith = 0;
        Assert.Equal(B_OK, module.DeletePool(pool));
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("mod-pool-ids")]
    [SpecRow("misuse-garbage-id")]
    [Fact]
    public void Garbage_pool_ids_are_refused_without_being_dereferenced()
    {
        AreaMallocModule module = Get();
        void* real = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        int onStack = 0;
        var garbage = new List<nint> { 0, 1, -1, 0x1000, (nint)(&onStack), (nint)real + 1, (nint)real - 1, (nint)real ^ (nint)(1L << 30), unchecked((nint)0xA700_0000_0000_0001) };
        var rng = new Random(3);
        for (int i = 0; i < 200; i++)
            garbage.Add((nint)rng.NextInt64());
        foreach (nint id in garbage)
        {
            Assert.Equal(B_ERROR, module.DeletePool((void*)id));
            Assert.True(module.Malloc((void*)id, 16) == null);
            module.Free((void*)id, (void*)id);
        }
        Assert.Equal(1, module.PoolCount);
        Assert.Equal(B_OK, module.DeletePool(real));
    }

    [SpecRow("mod-pool-ids")]
    [Fact]
    public void A_deleted_pools_id_stays_invalid_after_its_slot_is_reused()
    {
        AreaMallocModule module = Get();
        void* old = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        module.DeletePool(old);
        void* reused = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.True(old != reused);
        Assert.True(module.Malloc(old, 16) == null);
        Assert.Equal(B_ERROR, module.DeletePool(old));
        Assert.Equal(B_OK, module.DeletePool(reused));
    }

    [SpecRow("misuse-bad-create")]
    [Fact]
    public void Create_pool_returns_null_for_bad_specs()
    {
        AreaMallocModule module = Get();
        Assert.True(module.CreatePool(B_ANY_ADDRESS, 1000, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA) == null);
        Assert.True(module.CreatePool(B_EXACT_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA) == null);
        Assert.True(module.CreatePool(B_ANY_ADDRESS, 1 << 16, 9, B_READ_AREA | B_WRITE_AREA) == null);
        Assert.True(module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA) == null);
        Assert.Equal(0, module.PoolCount);
        Assert.Equal(0, _areas.Count);
    }

    [Fact]
    public void Many_pools_created_and_deleted_leave_no_area_behind()
    {
        AreaMallocModule module = Get();
        var pools = new List<nint>();
        for (int i = 0; i < 100; i++)
            pools.Add((nint)module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA));
        Assert.Equal(100, module.PoolCount);
        foreach (nint id in pools)
            Assert.Equal(B_OK, module.DeletePool((void*)id));
        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [Fact]
    public void A_loader_needs_a_registry()
    {
        Assert.Throws<ArgumentNullException>(() => new ModuleLoader(null!));
        Assert.Throws<ArgumentNullException>(() => new ModuleLoader(null!, new AreaMalloc.Pool.PoolSettings { Behavior = AreaMalloc.Pool.PoolBehavior.SafeDeletion }));
    }

    [Fact]
    public void A_deleted_pool_no_longer_counts()
    {
        AreaMallocModule module = Get();
        void* a = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        void* b = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.Equal(2, module.PoolCount);
        Assert.Equal(B_OK, module.DeletePool(a));
        Assert.Equal(1, module.PoolCount);
        Assert.Equal(B_OK, module.DeletePool(b));
        Assert.Equal(0, module.PoolCount);
    }
}
