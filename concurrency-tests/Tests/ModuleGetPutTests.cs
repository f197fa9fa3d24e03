using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 4: get_module/put_module from several tasks (<see cref="ModuleGetPutScenario"/>).</summary>
[Trait("Scenario", ModuleGetPutScenario.Name)]
public sealed class ModuleGetPutTests(ITestOutputHelper output)
{
    /// <summary>The pools left over are deleted exactly once, at the last put_module, and none survive.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Remaining_pools_are_deleted_exactly_once_at_the_last_put_module(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(ModuleGetPutScenario.Name, ModuleGetPutScenario.CiIterations,
            strategy, ModuleGetPutScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
