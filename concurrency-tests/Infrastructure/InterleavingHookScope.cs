using AreaMalloc.Pool;
using Microsoft.Coyote.Runtime;
using AreaMalloc.Format;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>
/// Turns the allocator's <see cref="Interleaving"/> points (free-list pop/push, slab list moves, block split and
/// coalesce, statistics updates, a magazine wait) into Coyote scheduling points for as long as the scope lives, then restores the
/// previous hook. Without it Coyote could only switch tasks at locks, so a pool missing a lock would still run each
/// operation atomically under test. The hook is process-wide: the assembly disables test parallelization.
/// </summary>
public sealed class InterleavingHookScope : IDisposable
{
    // A locked section waiting for a magazine's fast path to leave spins: Yield lowers its priority, so that strategies
    // that favour one task (pct) run the fast path instead of the spin.
    private static readonly Action<InterleavingPoint> s_coyoteHook = point =>
    {
        if (point == InterleavingPoint.MagazineWait)
            SchedulingPoint.Yield();
        else
            SchedulingPoint.Interleave();
    };
    private readonly Action<InterleavingPoint>? _previous;

    /// <summary>Installs the Coyote hook.</summary>
    public InterleavingHookScope()
    {
        _previous = Interleaving.Hook;
        Interleaving.Hook = s_coyoteHook;
    }

    /// <summary>Restores the hook that was installed before.</summary>
    public void Dispose() => Interleaving.Hook = _previous;
}
