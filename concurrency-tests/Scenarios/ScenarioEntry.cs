using AreaMalloc.ConcurrencyTests.Infrastructure;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>One scenario of the <see cref="ScenarioCatalog"/>.</summary>
/// <param name="Name">Its name: trace files start with it, and the trait <c>Scenario=&lt;name&gt;</c> selects its tests.</param>
/// <param name="Law">What it checks, written as a test name (<c>Some_law_holds</c>): its test rows are displayed under it.</param>
/// <param name="CiIterations">Iterations per strategy under the CI budget (scaled by <c>AREAMALLOC_BUDGET</c>); for a scenario
/// that must find a bug, the bound within which it must be found.</param>
/// <param name="Strategies">The strategies the tests explore it with, one test row each.</param>
/// <param name="Expectation">The outcome every exploration must have.</param>
/// <param name="Run">Explores (or replays) it as the settings say.</param>
public sealed record ScenarioEntry(
    string Name,
    string Law,
    uint CiIterations,
    IReadOnlyList<ExplorationStrategy> Strategies,
    ScenarioExpectation Expectation,
    Func<ScenarioSettings, ScenarioResult> Run);

/// <summary>What every exploration of a scenario must end with.</summary>
/// <param name="ViolationPrefix">
/// Null when Coyote must find no bug in the whole budget; else Coyote must find, within the budget, a specification
/// failure whose report starts with this text, write its trace, and the trace must replay the same violation.
/// </param>
public sealed record ScenarioExpectation(string? ViolationPrefix)
{
    /// <summary>No bug in the whole budget.</summary>
    public static ScenarioExpectation NoBug { get; } = new((string?)null);

    /// <summary>A violation whose report starts with <paramref name="prefix"/> is found, and its trace replays it.</summary>
    public static ScenarioExpectation FindsViolation(string prefix) => new(prefix);

    /// <summary>For listings: <c>no bug</c>, or the violation that must be found.</summary>
    public override string ToString() => ViolationPrefix is null ? "no bug" : $"finds \"{ViolationPrefix}...\" and replays it";
}
