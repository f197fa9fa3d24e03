using AreaMalloc.Pool;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Facts;

/// <summary>Outside the concurrency tests the scheduling points are folded away, and a hook that could never run is refused.</summary>
public class InterleavingFacts
{
    [Fact]
    public void Without_the_switch_the_points_are_off_and_installing_a_hook_is_refused()
    {
        Assert.False(Interleaving.IsEnabled);
        Assert.True(Interleaving.CompiledIn);
        var error = Assert.Throws<InvalidOperationException>(() => Interleaving.Hook = _ => { });
        Assert.Contains(Interleaving.SwitchName, error.Message, StringComparison.Ordinal);
        Assert.Null(Interleaving.Hook);
        Interleaving.Hook = null; // clearing is always allowed
        Assert.Null(Interleaving.Hook);
    }

    [Fact]
    public void Pool_operations_run_without_a_hook()
    {
        PoolAllocator pool = PoolFixture.NewPool();
        nint block = pool.Malloc(5000);
        Assert.NotEqual(0, pool.Realloc(block, 9000));
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }
}
