using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.Pool;
using AreaMalloc.Format;

namespace AreaMalloc.ConcurrencyTests.Facts;

/// <summary>Facts about the allocator's interleaving points in this test process.</summary>
public sealed class InterleavingFacts
{
    [Fact]
    public void The_test_process_turns_the_interleaving_points_on() =>
        Assert.True(Interleaving.IsEnabled, $"the runtimeconfig of this test assembly must set '{Interleaving.SwitchName}' to true");

    [Fact]
    public void The_hook_scope_installs_a_hook_and_restores_the_previous_one()
    {
        Action<InterleavingPoint>? before = Interleaving.Hook;
        using (new InterleavingHookScope())
            Assert.NotNull(Interleaving.Hook);
        Assert.Same(before, Interleaving.Hook);
    }
}
