using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.FaultInjection;

/// <summary>
/// Regression (found by the fault-injection property): the last put_module deleted every pool after dropping
/// their ids, so an unmap the OS refused stranded the pool's area, mapped and registered but unreachable.
/// </summary>
public sealed unsafe class PutModuleFaultFacts
{
    [SpecRow("mod-last-put-refused")]
    [Fact]
    public void Last_put_module_with_a_refused_unmap_keeps_the_pool_and_the_module_then_retries()
    {
        var backend = new FaultInjectingBackend(new FaultPlan(1, OsCall.Unmap, 12));
        var loader = new ModuleLoader(new AreaMalloc.Areas.AreaRegistry(backend));
        Assert.Equal(B_OK, loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
        void* pool = module!.CreatePool(B_ANY_ADDRESS, 65536, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.True(pool != null);

        Assert.Equal(B_ERROR, loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        Assert.True(backend.Injected);
        Assert.Equal(1, loader.Users);
        PoolAllocator? kept = module.FindPool(pool);
        Assert.NotNull(kept);
        Assert.True(kept.CheckIntegrity().IsValid);
        void* block = module.Malloc(pool, 100);
        Assert.True(block != null);
        module.Free(pool, block);

        Assert.Equal(B_OK, loader.PutModule(B_AREA_MALLOC_MODULE_NAME));
        Assert.Equal(0, loader.Users);
        Assert.Equal(0, module.Areas.Count);
        Assert.Equal(0UL, backend.LiveBytes);
    }
}
