namespace AreaMalloc.Pool;

/// <summary>The critical steps inside a pool's locked sections where a concurrency tester may switch tasks.</summary>
public enum InterleavingPoint
{
    /// <summary>An object or block was taken off a free list.</summary>
    FreeListPop,
    /// <summary>An object or block was put on a free list.</summary>
    FreeListPush,
    /// <summary>A slab moved between its class's lists (partial, full, spare) or was created or released.</summary>
    SlabListMove,
    /// <summary>A block was split in two.</summary>
    BlockSplit,
    /// <summary>A block was merged with a free neighbour.</summary>
    BlockCoalesce,
    /// <summary>The pool's statistics were updated.</summary>
    StatisticsUpdate,
}

/// <summary>
/// Scheduling points at the allocator's critical steps. Reads and writes through native pointers are
/// invisible to a systematic tester such as Coyote, so a pool whose lock were missing would still run each
/// operation atomically under test. A tester installs <see cref="Hook"/> (for example one that calls
/// Coyote's <c>SchedulingPoint.Interleave()</c>) to interleave at these steps. In production the hook is
/// null and each point is one static load and a branch; measured with the bench (bench/hook-cost.sh), the points
/// cost 7-13% of a malloc/free pair, mostly through what a possible call does to the code around it.
/// </summary>
public static class Interleaving
{
    private static Action<InterleavingPoint>? s_hook;

    /// <summary>The hook called at every point, or null (the default) for none. Process-wide.</summary>
    public static Action<InterleavingPoint>? Hook
    {
        get => s_hook;
        set => s_hook = value;
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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static void At(InterleavingPoint point)
    {
        if (s_hook is not null)
            Call(point);
    }

    /// <summary>The delegate call, kept out of line so that the inlined check stays one load and one branch.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Call(InterleavingPoint point) => s_hook?.Invoke(point);
}
