using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.ConcurrencyTests.Tests;

/// <summary>
/// Every scenario of the <see cref="ScenarioCatalog"/>, with each of its strategies, explored at the budget: one row per
/// scenario and strategy, displayed under the scenario's law (<see cref="ScenarioEntry.Law"/>) and carrying the trait
/// <c>Scenario=&lt;name&gt;</c> (<see cref="ScenarioTheoryAttribute"/>). A scenario that expects no bug must run its whole
/// budget without one; a scenario that expects a violation (the Be Book's unsafe delete_pool race) must find it within
/// the budget, write its trace, and the trace must replay the same violation.
/// </summary>
public sealed class EveryScenario(ITestOutputHelper output)
{
    /// <summary>The rows: each scenario of the catalog with each of its strategies.</summary>
    public static TheoryData<string, ExplorationStrategy> Rows()
    {
        var rows = new TheoryData<string, ExplorationStrategy>();
        foreach (ScenarioEntry scenario in ScenarioCatalog.All)
        {
            foreach (ExplorationStrategy strategy in scenario.Strategies)
                rows.Add(scenario.Name, strategy);
        }
        return rows;
    }

    [SpecRow("misuse-delete-race")]
    [ScenarioTheory]
    [MemberData(nameof(Rows))]
    public void Holds_its_law_under_every_explored_interleaving(string scenario, ExplorationStrategy strategy)
    {
        ScenarioEntry entry = ScenarioCatalog.Find(scenario)
            ?? throw new InvalidOperationException($"no scenario '{scenario}' in the catalog");
        output.WriteLine($"{entry.Name}: {entry.Law} ({strategy.ShortName()}; expected: {entry.Expectation})");
        ScenarioResult result = ScenarioTest.Run(entry.Name, entry.CiIterations, strategy, entry.Run, output);
        if (entry.Expectation.ViolationPrefix is string prefix)
            ScenarioTest.AssertFoundAndReplayed(entry, strategy, result, prefix, output);
        else
            ScenarioTest.AssertNoBug(result);
    }
}
