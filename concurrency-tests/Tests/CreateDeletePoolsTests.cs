using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>Scenario 3: create_pool and delete_pool of different pools at once (<see cref="CreateDeletePoolsScenario"/>).</summary>
[Trait("Scenario", CreateDeletePoolsScenario.Name)]
public sealed class CreateDeletePoolsTests(ITestOutputHelper output)
{
    /// <summary>Concurrent create_pool/delete_pool of different pools keep the registry consistent and leak no area.</summary>
    [Theory]
    [InlineData(ExplorationStrategy.Default)]
    [InlineData(ExplorationStrategy.Prioritization)]
    public void Concurrent_create_and_delete_of_different_pools_keep_the_registry_consistent_and_leak_nothing(ExplorationStrategy strategy)
    {
        ScenarioResult result = ScenarioTest.Run(CreateDeletePoolsScenario.Name, CreateDeletePoolsScenario.CiIterations,
            strategy, CreateDeletePoolsScenario.Run, output);
        ScenarioTest.AssertNoBug(result);
    }
}
