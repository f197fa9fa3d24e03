using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>
/// What the scenario theory (<see cref="EveryScenario"/>) does around a scenario: the settings from the budget and <c>AREAMALLOC_SEED</c> (or the
/// trace that <c>AREAMALLOC_REPLAY</c> names, when it is one of this scenario's), the result written to the test output, and
/// failure messages that say what was expected, what happened, the strategy, iterations, seed, trace and replay command.
/// </summary>
internal static class ScenarioTest
{
    /// <summary>Runs <paramref name="scenario"/> at the current budget with <paramref name="strategy"/>, or replays the requested trace.</summary>
    public static ScenarioResult Run(string scenario, uint ciIterations, ExplorationStrategy strategy,
        Func<ScenarioSettings, ScenarioResult> run, ITestOutputHelper output)
    {
        ScenarioSettings settings = ScenarioSettings.ForBudget(ciIterations, strategy) with { Seed = TraceFiles.RequestedSeed() };
        if (TraceFiles.RequestedReplay(scenario) is { } trace)
            settings = settings.Replaying(trace);
        ScenarioResult result = run(settings);
        output.WriteLine(result.Describe());
        foreach (string line in result.CertifyFigures())
            output.WriteLine(line);
        AreaMalloc.TestKit.Settings.Progress.Report($"{scenario} ({strategy.ShortName()})", result.IterationsDone, result.IterationsRequested);
        return result;
    }

    /// <summary>The law holds: Coyote found no bug in the whole budget.</summary>
    public static void AssertNoBug(ScenarioResult result)
    {
        if (result.FoundBug)
            Assert.Fail($"expected: no bug in {result.IterationsRequested} iterations; actual: a bug after {result.IterationsDone}.{Environment.NewLine}{result.Describe()}");
        Assert.True(result.IterationsDone == result.IterationsRequested,
            $"expected: {result.IterationsRequested} iterations explored; actual: {result.IterationsDone}.{Environment.NewLine}{result.Describe()}");
    }

    /// <summary>The expected bug: Coyote found a violation whose report starts with <paramref name="prefix"/> within the budget.</summary>
    public static void AssertFoundViolation(ScenarioResult result, string prefix)
    {
        Assert.True(result.FoundBug,
            $"expected: Coyote finds the violation within {result.IterationsRequested} iterations; actual: not found (Coyote stopped finding it).{Environment.NewLine}{result.Describe()}");
        Assert.True(result.BugReport!.StartsWith(prefix, StringComparison.Ordinal),
            $"expected: a specification failure starting '{prefix}'; actual: another bug.{Environment.NewLine}{result.Describe()}");
    }

    /// <summary>
    /// The expected bug is found (<see cref="AssertFoundViolation"/>), its trace is written to a file, and replaying that
    /// trace reports the same violation. When the run was itself a replay that <c>AREAMALLOC_REPLAY</c> asked for, finding
    /// the violation is all there is to check.
    /// </summary>
    public static void AssertFoundAndReplayed(ScenarioEntry scenario, ExplorationStrategy strategy, ScenarioResult found, string prefix,
        ITestOutputHelper output)
    {
        AssertFoundViolation(found, prefix);
        if (found.ReplayedTrace is not null)
            return; // AREAMALLOC_REPLAY asked for this replay: done
        Assert.True(found.TracePath is not null && File.Exists(found.TracePath),
            $"expected: the bug's trace written to a file; actual: {found.TracePath ?? "no trace"}.{Environment.NewLine}{found.Describe()}");

        ScenarioResult replayed = scenario.Run(ScenarioSettings.ForBudget(scenario.CiIterations, strategy).Replaying(found.TracePath!));
        output.WriteLine(replayed.Describe());
        Assert.True(replayed.FoundBug && replayed.BugReport == found.BugReport,
            $"expected: replaying the trace reports the same violation{Environment.NewLine}  {found.BugReport}{Environment.NewLine}" +
            $"actual: {replayed.BugReport ?? "no bug"}{Environment.NewLine}{found.Describe()}");
    }
}
