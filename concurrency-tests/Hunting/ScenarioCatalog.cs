using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using AreaMalloc.Pool;

namespace AreaMalloc.ConcurrencyTests.Hunting;

/// <summary>Every scenario by its name, so that one can be hunted or replayed outside xunit (the same definitions the tests run).</summary>
public static class ScenarioCatalog
{
    /// <summary>The scenarios: name, what a bug means there, and how to run it.</summary>
    public static IReadOnlyDictionary<string, (string Expectation, Func<ScenarioSettings, ScenarioResult> Run)> All { get; } =
        new Dictionary<string, (string, Func<ScenarioSettings, ScenarioResult>)>(StringComparer.Ordinal)
        {
            [ConcurrentMallocFreeScenario.Name] = ("no bug", ConcurrentMallocFreeScenario.Run),
            [CrossTaskFreeScenario.Name] = ("no bug", CrossTaskFreeScenario.Run),
            [ConcurrentMallocFreeScenario.CachedName] = ("no bug", ConcurrentMallocFreeScenario.RunCached),
            [CrossTaskFreeScenario.CachedName] = ("no bug", CrossTaskFreeScenario.RunCached),
            [MagazineScenario.Name] = ("no bug", MagazineScenario.Run),
            [SharedMagazineScenario.Name] = ("no bug", SharedMagazineScenario.Run),
            [CreateDeletePoolsScenario.Name] = ("no bug", CreateDeletePoolsScenario.Run),
            [ModuleGetPutScenario.Name] = ("no bug", ModuleGetPutScenario.Run),
            [DeleteRaceScenario.UnsafeName] = ("the unsafe delete_pool race is found", s => DeleteRaceScenario.Run(s, PoolBehavior.BeBook)),
            [DeleteRaceScenario.SafeName] = ("no bug", s => DeleteRaceScenario.Run(s, PoolBehavior.SafeDeletion)),
            [SafeDisposeScenario.Name] = ("no bug", SafeDisposeScenario.Run),
            [PoolLockScenario.Name] = ("no bug", PoolLockScenario.Run),
        };

    /// <summary>The scenario a trace file belongs to: the longest scenario name its file name starts with (then a dash).</summary>
    public static string? ScenarioOfTrace(string tracePath)
    {
        string file = Path.GetFileName(tracePath);
        return All.Keys.Where(name => file.StartsWith(name + "-", StringComparison.Ordinal)).OrderByDescending(n => n.Length).FirstOrDefault();
    }

    /// <summary>The strategy whose short name is <paramref name="name"/> (default, random, pct, probabilistic).</summary>
    public static ExplorationStrategy? Strategy(string name) =>
        Enum.GetValues<ExplorationStrategy>().Cast<ExplorationStrategy?>().FirstOrDefault(s => s!.Value.ShortName() == name);
}
