using AreaMalloc.ConcurrencyTests.Scenarios;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>
/// A theory whose rows each run one scenario of the <see cref="ScenarioCatalog"/>, its name the first argument. Every row
/// carries the trait <c>Scenario=&lt;name&gt;</c>, so that <c>--filter Scenario=&lt;name&gt;</c> selects the tests of one
/// scenario (the replay commands of <see cref="TraceFiles"/> rely on it), and is displayed under the scenario's law in
/// place of the method's name, e.g. <c>EveryScenario.Unsafe_delete_pool_race_is_found_and_replayed(scenario: "delete-race",
/// strategy: Random)</c>: test names stay laws, as when each scenario had a test method of its own.
/// </summary>
[XunitTestCaseDiscoverer("AreaMalloc.ConcurrencyTests.Infrastructure.ScenarioTheoryDiscoverer", "AreaMalloc.ConcurrencyTests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ScenarioTheoryAttribute : TheoryAttribute;

/// <summary>Discovers a <see cref="ScenarioTheoryAttribute"/> theory as one <see cref="ScenarioTestCase"/> per data row.</summary>
/// <param name="diagnosticMessageSink">xunit's diagnostic sink.</param>
public sealed class ScenarioTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow) =>
        [new ScenarioTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, dataRow)];
}

/// <summary>One row of a scenario theory: an ordinary theory row, displayed under its scenario's law, plus the trait <c>Scenario=&lt;its first argument&gt;</c>.</summary>
public sealed class ScenarioTestCase : XunitTestCase
{
    /// <summary>The trait that names a row's scenario.</summary>
    public const string TraitName = "Scenario";

    /// <summary>For the de-serializer only.</summary>
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ScenarioTestCase()
    {
    }

    /// <summary>A row of <paramref name="testMethod"/> with <paramref name="dataRow"/> (the scenario's name first).</summary>
    public ScenarioTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod, object[] dataRow)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod, dataRow)
    {
    }

    /// <summary>The display name with the scenario's law in place of the method's name (unchanged for a name the catalog does not hold).</summary>
    protected override string GetDisplayName(IAttributeInfo factAttribute, string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        string method = TestMethod.Method.Name;
        if (TestMethodArguments is [string scenario, ..] && ScenarioCatalog.Find(scenario) is { } entry
            && displayName.EndsWith(method, StringComparison.Ordinal))
            displayName = displayName[..^method.Length] + entry.Law;
        return base.GetDisplayName(factAttribute, displayName);
    }

    /// <inheritdoc />
    protected override void Initialize()
    {
        // Runs after construction and after de-serialization alike, so the trait survives either way.
        base.Initialize();
        if (TestMethodArguments is [string scenario, ..])
            Traits[TraitName] = [scenario];
    }
}
