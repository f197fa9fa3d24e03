using System.Runtime.CompilerServices;

namespace AreaMalloc.Format;

/// <summary>The critical steps inside a pool's locked sections (and its lock-free magazine paths) where a concurrency tester may switch tasks.</summary>
public enum InterleavingPoint
{
    /// <summary>An object or block was taken off a free list (a slab's or the large-block heap's), or is about to be taken off a thread's magazine.</summary>
    FreeListPop,
    /// <summary>An object or block was put on a free list (a slab's or the large-block heap's), or was claimed and is about to be put on a thread's magazine.</summary>
    FreeListPush,
    /// <summary>A slab moved between its class's lists (partial, full, spare) or was created or released.</summary>
    SlabListMove,
    /// <summary>A block was split in two.</summary>
    BlockSplit,
    /// <summary>A block was merged with a free neighbour.</summary>
    BlockCoalesce,
    /// <summary>The pool's statistics were updated.</summary>
    StatisticsUpdate,
    /// <summary>A locked section waits for a thread's lock-free fast path to leave its magazine (a pool with thread magazines).</summary>
    MagazineWait,
}

/// <summary>
/// Scheduling points at the allocator's critical steps. Reads and writes through native pointers are
/// invisible to a systematic tester such as Coyote, so a pool whose lock were missing would still run each
/// operation atomically under test. A tester installs <see cref="Hook"/> (for example one that calls
/// Coyote's <c>SchedulingPoint.Interleave()</c>) to interleave at these steps.
/// <para>
/// The points exist only in processes that turn on the AppContext switch <see cref="SwitchName"/> (a test project
/// adds <c>&lt;RuntimeHostConfigurationOption Include="AreaMalloc.Interleaving.Enabled" Value="true" /&gt;</c>).
/// Elsewhere the switch is read once into a static readonly field, which the JIT folds to a constant: the points
/// compile to nothing (measured: with a runtime null check instead, small malloc/free pairs were 3 ns, ~10%, slower).
/// </para>
/// </summary>
public static class Interleaving
{
    /// <summary>The AppContext switch that enables the points (default off).</summary>
    public const string SwitchName = "AreaMalloc.Interleaving.Enabled";

    private static readonly bool s_enabled = AppContext.TryGetSwitch(SwitchName, out bool enabled) && enabled;
    private static Action<InterleavingPoint>? s_hook;

    /// <summary>True when the process turned on <see cref="SwitchName"/>, so that <see cref="Hook"/> is called.</summary>
    public static bool IsEnabled => s_enabled;

    /// <summary>The hook called at every point, or null (the default) for none. Process-wide.</summary>
    /// <exception cref="InvalidOperationException">Set to a hook while <see cref="IsEnabled"/> is false (it would never be called).</exception>
    public static Action<InterleavingPoint>? Hook
    {
        get => s_hook;
        set
        {
            if (value is not null && !s_enabled)
                throw new InvalidOperationException(
                    $"The interleaving points are compiled out: turn on the AppContext switch '{SwitchName}' (in the test project: <RuntimeHostConfigurationOption Include=\"{SwitchName}\" Value=\"true\" />).");
            s_hook = value;
        }
    }

    /// <summary>
    /// True when the calls to <see cref="At"/> are compiled into the allocator (the default). Building with
    /// <c>-p:AreaMallocNoInterleaving=true</c> compiles them out (the bench uses that to measure their cost); such a
    /// build cannot be tested with Coyote.
    /// </summary>
    public static bool CompiledIn =>
#if AREAMALLOC_INTERLEAVING
        true;
#else
        false;
#endif

    /// <summary>Reports that the running operation reached <paramref name="point"/>.</summary>
    [System.Diagnostics.Conditional("AREAMALLOC_INTERLEAVING")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void At(InterleavingPoint point)
    {
        if (s_enabled)
            Invoke(point);
    }

    /// <summary>The delegate call, kept out of line so that the inlined check stays one folded constant.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Invoke(InterleavingPoint point) => s_hook?.Invoke(point);
}
