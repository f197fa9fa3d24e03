using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using AreaMalloc.Pool;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 5: the documented-unsafe race of delete_pool against calls on the same pool (<see cref="DeleteRaceScenario"/>).</summary>
[Trait("Scenario", DeleteRaceScenario.UnsafeName)]
public sealed class DeleteRaceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Coyote finds the use of a deleted pool within the budget, reports it as a specification failure (the process
    /// survives: the area is quarantined), writes the trace to a file, and replaying the trace reports the same violation.
    /// </summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    [InlineData(ExplorationStrategy.Random)]
    public void Unsafe_delete_pool_race_is_found_and_replayed(ExplorationStrategy strategy)
    {
        ScenarioResult found = ScenarioTest.Run(DeleteRaceScenario.UnsafeName, DeleteRaceScenario.CiIterationsToFind, strategy,
            s => DeleteRaceScenario.Run(s, PoolBehavior.BeBook), output);
        ScenarioTest.AssertFoundViolation(found, DeleteRaceScenario.ViolationPrefix);
        if (found.ReplayedTrace is not null)
            return; // AREAMALLOC_REPLAY asked for this replay: done
        Assert.True(found.TracePath is not null && File.Exists(found.TracePath),
            $"expected: the bug's trace written to a file; actual: {found.TracePath ?? "no trace"}.{Environment.NewLine}{found.Describe()}");

        ScenarioResult replayed = DeleteRaceScenario.Run(
            ScenarioSettings.ForBudget(DeleteRaceScenario.CiIterationsToFind, strategy).Replaying(found.TracePath!), PoolBehavior.BeBook);
        output.WriteLine(replayed.Describe());
        Assert.True(replayed.FoundBug && replayed.BugReport == found.BugReport,
            $"expected: replaying the trace reports the same violation{Environment.NewLine}  {found.BugReport}{Environment.NewLine}" +
            $"actual: {replayed.BugReport ?? "no bug"}{Environment.NewLine}{found.Describe()}");
    }
}
