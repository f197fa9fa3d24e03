using System.Globalization;
using Stats = AreaMalloc.Pool.PoolStatistics;

namespace AreaMalloc.TestKit.ModelBased;

/// <summary>Field-by-field comparison of two statistics snapshots, for readable failures.</summary>
public static class StatisticsDiff
{
    /// <summary>Fields that record history rather than state: a pristine pool may differ in them from a fresh one.</summary>
    public static IReadOnlySet<string> HistoryFields { get; } =
        new HashSet<string> { nameof(Stats.RefusedFrees), nameof(Stats.FailedAllocations), nameof(Stats.PeakLargeUsedBytes) };

    /// <summary>Fields that change when spare slabs are released (which a pool short of memory may do at any request).</summary>
    public static IReadOnlySet<string> SlabFields { get; } = new HashSet<string>
    {
        nameof(Stats.LargeFreeBytes), nameof(Stats.LargeUsedBytes), nameof(Stats.LargestFreeBlock),
        nameof(Stats.SlabCount), nameof(Stats.SpareSlabs), nameof(Stats.SlabsPerClass),
    };

    private static readonly (string Name, Func<Stats, string> Value)[] Fields =
    [
        (nameof(Stats.AreaSize), s => Text(s.AreaSize)),
        (nameof(Stats.HeapSize), s => Text(s.HeapSize)),
        (nameof(Stats.LiveBlocks), s => Text(s.LiveBlocks)),
        (nameof(Stats.BytesInUse), s => Text(s.BytesInUse)),
        (nameof(Stats.LargeFreeBytes), s => Text(s.LargeFreeBytes)),
        (nameof(Stats.LargeUsedBytes), s => Text(s.LargeUsedBytes)),
        (nameof(Stats.PeakLargeUsedBytes), s => Text(s.PeakLargeUsedBytes)),
        (nameof(Stats.LargestFreeBlock), s => Text(s.LargestFreeBlock)),
        (nameof(Stats.SlabCount), s => Text(s.SlabCount)),
        (nameof(Stats.SpareSlabs), s => Text(s.SpareSlabs)),
        (nameof(Stats.SlabsPerClass), s => "[" + string.Join(",", s.SlabsPerClass) + "]"),
        (nameof(Stats.RefusedFrees), s => Text(s.RefusedFrees)),
        (nameof(Stats.FailedAllocations), s => Text(s.FailedAllocations)),
    ];

    /// <summary>Null when equal on every field not ignored, else <c>Field expected -> actual</c> for each difference.</summary>
    /// <param name="expected">The expected snapshot.</param>
    /// <param name="actual">The actual snapshot.</param>
    /// <param name="ignore">Field names not compared.</param>
    /// <returns>The differences or null.</returns>
    public static string? Describe(Stats expected, Stats actual, IReadOnlySet<string>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var diffs = Fields
            .Where(f => ignore is null || !ignore.Contains(f.Name))
            .Select(f => (f.Name, Want: f.Value(expected), Got: f.Value(actual)))
            .Where(d => d.Want != d.Got)
            .Select(d => $"{d.Name} expected {d.Want}, actual {d.Got}")
            .ToList();
        return diffs.Count == 0 ? null : string.Join("; ", diffs);
    }

    private static string Text<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
