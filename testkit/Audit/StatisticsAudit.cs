using System.Globalization;
using AreaMalloc.Areas;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using AreaMalloc.Be;

namespace AreaMalloc.TestKit.Audit;

/// <summary>
/// The one end-of-run (and after-every-command) audit of a pool's reported figures, shared by the model-based property,
/// the Coyote scenarios and the soak. Every field of <see cref="PoolStatistics"/> gets its law here:
/// <list type="bullet">
/// <item>state figures (<c>LiveBlocks</c>, <c>BytesInUse</c>, <c>LargeFreeBytes</c>, <c>LargeUsedBytes</c>,
/// <c>LargestFreeBlock</c>, <c>SlabCount</c>, <c>SpareSlabs</c>, <c>SlabsPerClass</c>) equal the integrity walker's
/// independent recount of the blocks (<see cref="IntegrityReport.Recount"/>);</item>
/// <item><c>AreaSize</c> is the area's size as <c>get_area_info</c> reports it and has a layout; <c>HeapSize</c> is that
/// layout's heap and exactly the bytes the walker tiles;</item>
/// <item>bounds: <c>PeakLargeUsedBytes</c> lies between <c>LargeUsedBytes</c> and <c>HeapSize</c>; at most one spare slab
/// per class; <c>FirstDamage</c> is null exactly when no damage was counted, and its kind was counted;</item>
/// <item>history (with the previous snapshot): the peak and the four event counters never decrease, the peak is at least
/// every <c>LargeUsedBytes</c> seen, and the first damage never changes.</item>
/// </list>
/// <c>RefusedFrees</c> and <c>FailedAllocations</c> have exact values from the caller's history (the model, or the NULLs
/// the tasks saw), which the callers compare themselves. Every violation names the field, the expected and the actual value.
/// </summary>
public static class StatisticsAudit
{
    /// <summary>The violations of a snapshot against the walker's report (and the previous snapshot), or null when every law holds.</summary>
    /// <param name="stats">The statistics reported.</param>
    /// <param name="walk">The integrity walker's report of the same quiet pool.</param>
    /// <param name="previous">An earlier snapshot of the same pool, for the history laws, or null.</param>
    /// <returns>"Field expected X (why), actual Y" for each broken law, separated by "; ", or null.</returns>
    public static string? Describe(PoolStatistics stats, IntegrityReport walk, PoolStatistics? previous = null)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(walk);
        var found = new List<string>();
        if (walk.Recount is not PoolRecount r)
        {
            found.Add($"integrity walker: {walk} (nothing to recount the statistics against)");
        }
        else
        {
            Exact(found, nameof(stats.LiveBlocks), r.LiveBlocks, stats.LiveBlocks, "the walker's count of used blocks and live slab objects");
            Exact(found, nameof(stats.BytesInUse), r.BytesInUse, stats.BytesInUse, "the walker's sum of their usable sizes");
            Exact(found, nameof(stats.LargeFreeBytes), r.LargeFreeBytes, stats.LargeFreeBytes, "the walker's sum over the free blocks");
            Exact(found, nameof(stats.LargeUsedBytes), r.LargeUsedBytes, stats.LargeUsedBytes, "the walker's sum over the used blocks and slabs");
            Exact(found, nameof(stats.LargestFreeBlock), r.LargestFreeBlock, stats.LargestFreeBlock, "the walker's largest free block less its header");
            Exact(found, nameof(stats.SlabCount), r.SlabCount, stats.SlabCount, "the slabs the walker met");
            Exact(found, nameof(stats.SpareSlabs), r.SpareSlabs, stats.SpareSlabs, "the empty slabs the walker met");
            Exact(found, nameof(stats.SlabsPerClass), List(r.SlabsPerClass), List(stats.SlabsPerClass), "the walker's slabs per class");
            Exact(found, nameof(stats.HeapSize), r.HeapBytes, stats.HeapSize, "the bytes the walker tiled, free and used");
        }

        PoolLayout? layout = PoolLayout.For(stats.AreaSize);
        if (layout is null)
            found.Add(Text($"AreaSize expected a size a pool can have, actual {stats.AreaSize}"));
        else
            Exact(found, nameof(stats.HeapSize), layout.Value.HeapEnd - layout.Value.HeapStart, stats.HeapSize, "the heap of the area's layout");

        if (stats.PeakLargeUsedBytes < stats.LargeUsedBytes || stats.PeakLargeUsedBytes > stats.HeapSize)
            found.Add(Text($"PeakLargeUsedBytes expected between LargeUsedBytes {stats.LargeUsedBytes} and HeapSize {stats.HeapSize} (a bound), actual {stats.PeakLargeUsedBytes}"));
        if (stats.SpareSlabs > Math.Min(stats.SlabCount, SizeClasses.Count))
            found.Add(Text($"SpareSlabs expected at most one per class and at most SlabCount {stats.SlabCount} (a bound), actual {stats.SpareSlabs}"));
        if (stats.SlabsPerClass.Count != SizeClasses.Count || stats.SlabsPerClass.Sum() != stats.SlabCount)
            found.Add(Text($"SlabsPerClass expected {SizeClasses.Count} classes summing to SlabCount {stats.SlabCount}, actual {List(stats.SlabsPerClass)}"));
        foreach ((string name, long value) in Events(stats))
        {
            if (value < 0)
                found.Add(Text($"{name} expected >= 0, actual {value}"));
        }

        DamageLaws(found, stats);
        if (previous is not null)
            HistoryLaws(found, stats, previous);
        return found.Count == 0 ? null : string.Join("; ", found);
    }

    /// <summary>
    /// Audits a quiet pool (no call in flight): its statistics against the walker and the previous snapshot, its
    /// <c>AreaSize</c> against <c>get_area_info</c>, and the magazine figure (no block stays cached once the statistics
    /// drained the magazines).
    /// </summary>
    /// <param name="pool">The pool.</param>
    /// <param name="previous">An earlier snapshot, or null.</param>
    /// <param name="stats">The snapshot taken, for the next call's history.</param>
    /// <returns>The violations, or null.</returns>
    public static string? Describe(PoolAllocator pool, PoolStatistics? previous, out PoolStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(pool);
        stats = pool.GetStatistics();
        int cached = pool.CachedBlocks;
        IntegrityReport walk = pool.CheckIntegrity();
        var found = new List<string>();
        if (Describe(stats, walk, previous) is string laws)
            found.Add(laws);
        if (cached != 0)
            found.Add(Text($"CachedBlocks expected 0 after the statistics drained every magazine, actual {cached}"));
        string? area = AreaLaws(pool.Areas, pool.AreaId, pool.Base, stats);
        if (area is not null)
            found.Add(area);
        return found.Count == 0 ? null : string.Join("; ", found);
    }

    /// <summary>Audits a quiet pool with no history (see <see cref="Describe(PoolAllocator, PoolStatistics?, out PoolStatistics)"/>).</summary>
    /// <param name="pool">The pool.</param>
    /// <returns>The violations, or null.</returns>
    public static string? Describe(PoolAllocator pool) => Describe(pool, null, out _);

    /// <summary>get_area_info of the pool's area: it exists, starts at the pool's base and has <see cref="PoolStatistics.AreaSize"/> bytes.</summary>
    /// <param name="areas">The registry holding the pool's area.</param>
    /// <param name="areaId">The pool's area.</param>
    /// <param name="poolBase">The pool's base address.</param>
    /// <param name="stats">The pool's statistics.</param>
    /// <returns>The violation, or null.</returns>
    public static string? AreaLaws(AreaRegistry areas, int areaId, nint poolBase, PoolStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(areas);
        ArgumentNullException.ThrowIfNull(stats);
        int status = areas.GetAreaInfo(areaId, out AreaInfo info);
        if (status != BeConstants.B_OK)
            return Text($"get_area_info of the pool's area {areaId} expected B_OK, actual {status}");
        if (info.Address != poolBase)
            return Text($"get_area_info Address expected the pool's base 0x{poolBase:x}, actual 0x{info.Address:x}");
        return (ulong)info.Size != stats.AreaSize
            ? Text($"AreaSize expected {info.Size} (get_area_info of the pool's area), actual {stats.AreaSize}")
            : null;
    }

    private static void DamageLaws(List<string> found, PoolStatistics s)
    {
        long counted = s.CorruptionsDetected + s.UseAfterFreeWrites;
        if ((s.FirstDamage is null) != (counted == 0))
            found.Add(Text($"FirstDamage expected {(counted == 0 ? "null" : "set")} (CorruptionsDetected {s.CorruptionsDetected}, UseAfterFreeWrites {s.UseAfterFreeWrites}), actual {s.FirstDamage?.ToString() ?? "null"}"));
        else if (s.FirstDamage is { Kind: Format.DamageKind.UseAfterFreeWrite } && s.UseAfterFreeWrites < 1)
            found.Add(Text($"UseAfterFreeWrites expected >= 1 (FirstDamage is a use-after-free write), actual {s.UseAfterFreeWrites}"));
        else if (s.FirstDamage is { Kind: not Format.DamageKind.UseAfterFreeWrite } && s.CorruptionsDetected < 1)
            found.Add(Text($"CorruptionsDetected expected >= 1 (FirstDamage is {s.FirstDamage.Kind}), actual {s.CorruptionsDetected}"));
    }

    private static void HistoryLaws(List<string> found, PoolStatistics s, PoolStatistics was)
    {
        ulong floor = Math.Max(was.PeakLargeUsedBytes, was.LargeUsedBytes);
        if (s.PeakLargeUsedBytes < floor)
            found.Add(Text($"PeakLargeUsedBytes expected >= {floor} (the earlier peak and LargeUsedBytes: a peak never falls), actual {s.PeakLargeUsedBytes}"));
        foreach (((string name, long now), (_, long before)) in Events(s).Zip(Events(was)))
        {
            if (now < before)
                found.Add(Text($"{name} expected >= {before} (it counts events and never decreases), actual {now}"));
        }

        if (was.FirstDamage is not null && s.FirstDamage != was.FirstDamage)
            found.Add(Text($"FirstDamage expected {was.FirstDamage} (the first damage never changes), actual {s.FirstDamage?.ToString() ?? "null"}"));
        if (s.AreaSize != was.AreaSize || s.HeapSize != was.HeapSize)
            found.Add(Text($"AreaSize/HeapSize expected {was.AreaSize}/{was.HeapSize} (fixed for the pool's life), actual {s.AreaSize}/{s.HeapSize}"));
    }

    private static (string Name, long Value)[] Events(PoolStatistics s) =>
    [
        (nameof(s.RefusedFrees), s.RefusedFrees),
        (nameof(s.FailedAllocations), s.FailedAllocations),
        (nameof(s.CorruptionsDetected), s.CorruptionsDetected),
        (nameof(s.UseAfterFreeWrites), s.UseAfterFreeWrites),
    ];

    private static void Exact<T>(List<string> found, string field, T expected, T actual, string why)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            found.Add(string.Create(CultureInfo.InvariantCulture, $"{field} expected {expected} ({why}), actual {actual}"));
    }

    private static string List(IReadOnlyList<int> values) => "[" + string.Join(",", values) + "]";

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
