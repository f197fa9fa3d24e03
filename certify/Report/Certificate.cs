using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AreaMalloc.Certify.Campaign;
using Spectre.Console;

namespace AreaMalloc.Certify.Report;

/// <summary>The certificate: report.md for people, report.json for machines, and the summary table on the console.</summary>
internal sealed record Certificate(MachineInfo Machine, string Budget, TimeSpan Elapsed, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>True when no check failed.</summary>
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Outcome != Outcome.Failed);

    /// <summary>Writes report.md and report.json into <paramref name="directory"/>.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.json"), JsonSerializer.Serialize(this, JsonOptions));
        File.WriteAllText(Path.Combine(directory, "report.md"), Markdown());
    }

    /// <summary>Prints one row per stage, then every failed check with its details.</summary>
    public void Print()
    {
        var table = new Table().AddColumns("stage", "checks", "passed", "failed", "skipped", "time");
        foreach (var stage in Checks.GroupBy(c => c.Stage))
        {
            table.AddRow(Markup.Escape(stage.Key), Count(stage), Count(stage, Outcome.Passed), Count(stage, Outcome.Failed),
                Count(stage, Outcome.Skipped), stage.Aggregate(TimeSpan.Zero, (t, c) => t + c.Duration).ToString(@"mm\:ss", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        foreach (CheckResult failed in Checks.Where(c => c.Outcome == Outcome.Failed))
            AnsiConsole.MarkupLine($"[red]FAILED[/] {Markup.Escape(failed.Stage)} / {Markup.Escape(failed.Name)}\n{Markup.Escape(failed.Details ?? "")}");
        AnsiConsole.MarkupLine(Passed ? "[green]certified: every check passed[/]" : "[red]not certified: a check failed[/]");
    }

    private static string Count(IEnumerable<CheckResult> checks, Outcome? outcome = null) =>
        checks.Count(c => outcome is null || c.Outcome == outcome).ToString(CultureInfo.InvariantCulture);

    private string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# AreaMalloc certificate: {(Passed ? "PASSED" : "FAILED")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- commit: `{Machine.Commit}`{(Machine.Dirty ? " (with uncommitted changes)" : "")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- date: {Machine.Date}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Machine.Cores} cores, {Machine.Memory}, {Machine.Os}, {Machine.Runtime}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- budget: `AREAMALLOC_BUDGET={Budget}`; campaign time {Elapsed:hh\\:mm\\:ss}");
        md.AppendLine();
        md.AppendLine("| stage | checks | passed | failed | skipped |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var stage in Checks.GroupBy(c => c.Stage))
            md.AppendLine(CultureInfo.InvariantCulture, $"| {stage.Key} | {Count(stage)} | {Count(stage, Outcome.Passed)} | {Count(stage, Outcome.Failed)} | {Count(stage, Outcome.Skipped)} |");
        List<CheckResult> failures = Checks.Where(c => c.Outcome == Outcome.Failed).ToList();
        if (failures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## Failed checks ({failures.Count})");
            md.AppendLine();
            foreach (CheckResult failed in failures)
                md.AppendLine(CultureInfo.InvariantCulture, $"- {failed.Stage} / `{failed.Name}`: {FirstLine(failed.Details)}");
        }
        foreach (var stage in Checks.GroupBy(c => c.Stage))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {stage.Key}");
            md.AppendLine();
            md.AppendLine("| check | outcome | budget | time | figures | replay |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (CheckResult check in stage)
            {
                string figures = string.Join("; ", check.Figures.Where(f => f.Key is not "budget" and not "replay").Select(f => $"{f.Key}={f.Value}"));
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Cell(check.Name)} | {check.Outcome} | {Cell(check.Budget)} | {check.Duration.TotalSeconds:F1} s | {Cell(figures)} | {Cell(check.Replay ?? "")} |");
            }
            foreach (CheckResult failed in stage.Where(c => c.Outcome == Outcome.Failed))
            {
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"### FAILED: {failed.Name}");
                md.AppendLine("```");
                md.AppendLine(failed.Details);
                md.AppendLine("```");
            }
        }
        return md.ToString();
    }

    /// <summary>
    /// The first line of a failure's details that says something (the assertion's message; an exception type's own
    /// line such as "FsCheck.Xunit.PropertyFailedException :" is skipped), or a dash.
    /// </summary>
    private static string FirstLine(string? details) =>
        details?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(line => !line.EndsWith(':')) ?? "-";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };
}
