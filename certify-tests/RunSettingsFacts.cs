using System.Xml.Linq;

namespace AreaMalloc.Certify.Tests;

/// <summary>
/// `dotnet test AreaMalloc.Verify.sln` with no argument stops a hung test and names it: every test project of the
/// solution imports Directory.Build.props, which points RunSettingsFilePath at test.runsettings, whose blame collector
/// kills a test host hung for at most five minutes without writing a dump; coverage.runsettings (given explicitly by the
/// coverage gate) carries the same collector, and certification.runsettings the same with a longer timeout.
/// </summary>
public sealed class RunSettingsFacts
{
    private static readonly string Root = CertificateFacts.RepositoryRoot();

    [Theory]
    [InlineData("test.runsettings", 5)]
    [InlineData("coverage.runsettings", 5)]
    [InlineData("certification.runsettings", 90)]
    public void The_run_settings_stop_a_hung_test_without_a_dump(string file, int maxMinutes)
    {
        XDocument doc = XDocument.Load(Path.Combine(Root, file));
        XElement? blame = doc.Descendants("DataCollector").FirstOrDefault(e => (string?)e.Attribute("friendlyName") == "blame");
        Assert.True(blame is not null && (string?)blame.Attribute("enabled") == "True", $"{file}: expected an enabled blame data collector, found none");
        XElement? hang = blame.Descendants("CollectDumpOnTestSessionHang").FirstOrDefault();
        Assert.True(hang is not null, $"{file}: the blame collector has no CollectDumpOnTestSessionHang (the hang timeout)");
        Assert.Equal("None", (string?)hang.Attribute("HangDumpType"));
        string timeout = (string?)hang.Attribute("TestTimeout") ?? "";
        Assert.True(timeout.EndsWith("min", StringComparison.Ordinal) && int.TryParse(timeout[..^3], out int minutes) && minutes >= 1 && minutes <= maxMinutes,
            $"{file}: expected a TestTimeout of 1 to {maxMinutes} min, actual \"{timeout}\"");
    }

    [Fact]
    public void Every_test_project_of_the_solution_uses_test_runsettings_by_default()
    {
        XDocument props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        var paths = props.Descendants("RunSettingsFilePath").ToList();
        XElement? plain = paths.FirstOrDefault(e => e.Attribute("Condition") is null);
        Assert.True(plain is not null && plain.Value.EndsWith("test.runsettings", StringComparison.Ordinal) && !plain.Value.EndsWith("certification.runsettings", StringComparison.Ordinal),
            $"Directory.Build.props: expected RunSettingsFilePath = $(MSBuildThisFileDirectory)test.runsettings without a condition, found [{string.Join(", ", paths.Select(p => p.Value))}]");

        var projects = File.ReadAllLines(Path.Combine(Root, "AreaMalloc.Verify.sln"))
            .Where(l => l.StartsWith("Project(", StringComparison.Ordinal))
            .Select(l => l.Split(',')[1].Trim().Trim('"').Replace('\\', '/'))
            .Where(p => p.EndsWith(".csproj", StringComparison.Ordinal))
            .ToList();
        var testProjects = projects.Where(p => File.ReadAllText(Path.Combine(Root, p)).Contains("Microsoft.NET.Test.Sdk", StringComparison.Ordinal)).ToList();
        Assert.True(testProjects.Count >= 3, $"expected the solution's test projects, found [{string.Join(", ", testProjects)}]");
        foreach (string project in testProjects)
        {
            string text = File.ReadAllText(Path.Combine(Root, project));
            Assert.False(text.Contains("RunSettingsFilePath", StringComparison.Ordinal), $"{project} overrides RunSettingsFilePath: a hang in it would not be stopped");
            Assert.False(text.Contains("ImportDirectoryBuildProps", StringComparison.Ordinal), $"{project} may not import Directory.Build.props");
            Assert.False(File.Exists(Path.Combine(Root, Path.GetDirectoryName(project)!, "Directory.Build.props")),
                $"{project} has a Directory.Build.props of its own, which hides the root's run settings");
        }
    }
}
