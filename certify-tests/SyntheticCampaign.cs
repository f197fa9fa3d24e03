using AreaMalloc.Certify.Campaign;
using AreaMalloc.Certify.Laws;
using AreaMalloc.Certify.Report;

namespace AreaMalloc.Certify.Tests;

/// <summary>
/// A campaign made up for the tests: one passing check for every entry of the check map (a class entry gets a method
/// that no prefix entry of its class takes), the build and coverage gates, and checks that report effort the way the
/// real tests do (certify: lines, FsCheck's "Ok, passed" line, Coyote's iterations).
/// </summary>
internal static class SyntheticCampaign
{
    public static readonly MachineInfo Machine = new("0123456789abcdef0123456789abcdef01234567", false, "2026-12-07 12:00:00 UTC",
        "Debian GNU/Linux 12", ".NET 10.0.0", 2, "23 GiB");

    /// <summary>Every check passes.</summary>
    public static List<CheckResult> Checks()
    {
        var checks = new List<CheckResult>
        {
            Gate("build", "solution builds (warnings as errors) and Coyote rewrites", new Dictionary<string, string>()),
        };
        foreach (CheckMap.Entry entry in CheckMap.Entries)
        {
            string method = entry.MethodPrefix is null ? "Z_whole_class_law_holds" : entry.MethodPrefix + "_holds";
            checks.Add(Test(entry.Class, method));
        }
        checks.Add(Test("ModelBasedProperties", "Every_command_sequence_agrees_with_the_model", figures: new Dictionary<string, string>
        {
            ["budget"] = "300 sequences (ci)", ["sequences"] = "300", ["commands"] = "9179",
            ["replay"] = "AREAMALLOC_REPLAY=\"(1,3)\" dotnet test properties --filter Every_command_sequence_agrees_with_the_model",
        }));
        checks.Add(Test("EveryScenario", "Two_tasks_routed_to_one_magazine_never_overlap_or_corrupt", figures: new Dictionary<string, string>
        {
            ["budget"] = "200 iterations (ci)", ["iterations"] = "200", ["strategy"] = "pct", ["seed"] = "42", ["bug"] = "none",
        }));
        checks.Add(Test("SizeClassProperties", "Class_index_is_monotonic_in_the_request", stdout: "Ok, passed 200 tests."));
        checks.Add(Gate("coverage", "coverage of allocator/ and models/ meets the gate (95% line, 90% branch)",
            new Dictionary<string, string> { ["line"] = "98.2%", ["branch"] = "95.3%" }));
        return checks;
    }

    /// <summary>A test check of <paramref name="className"/> (put in a namespace, as the runner reports it).</summary>
    public static CheckResult Test(string className, string method, Outcome outcome = Outcome.Passed, string? details = null,
        Dictionary<string, string>? figures = null, string stdout = "")
    {
        figures ??= [];
        return new CheckResult(className == "EveryScenario" ? "coyote scenarios" : "properties",
            $"{className}.{method}", "ci", outcome, TimeSpan.FromMilliseconds(12), figures,
            figures.GetValueOrDefault("replay") ?? $"AREAMALLOC_BUDGET=ci dotnet test properties -c Release --filter \"FullyQualifiedName=AreaMalloc.Somewhere.{className}.{method}\"",
            details)
        {
            TestClass = $"AreaMalloc.Somewhere.Deep.{className}",
            TestMethod = method,
            Effort = EffortReader.Read(figures, stdout),
        };
    }

    private static CheckResult Gate(string stage, string name, Dictionary<string, string> figures) =>
        new(stage, name, "-", Outcome.Passed, TimeSpan.FromSeconds(20), figures, $"bash .ci/{stage}-gate", null);

    /// <summary>The certificate of <paramref name="checks"/>.</summary>
    public static CertificateDocument Certificate(IReadOnlyList<CheckResult> checks, MutationBaseline? baseline = null) =>
        CertificateBuilder.Build(new CampaignRecord(Machine, "ci", TimeSpan.FromMinutes(3.2), checks, []), baseline);

    /// <summary>A fresh folder under the system's temporary folder.</summary>
    public static string TempFolder() => Directory.CreateTempSubdirectory("areamalloc-certify-tests-").FullName;
}
