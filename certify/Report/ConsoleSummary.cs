using System.Globalization;
using Spectre.Console;

namespace AreaMalloc.Certify.Report;

/// <summary>The certificate's summary on the console: failures first, then one row per concern, then the verdict.</summary>
internal static class ConsoleSummary
{
    public static void Print(CertificateDocument doc)
    {
        foreach (FailedLawEntry law in doc.FailedLaws)
            AnsiConsole.MarkupLine($"[red]FAILED LAW[/] {Markup.Escape(law.Id)} ({law.Failed} of {law.Checks} checks failed): {Markup.Escape(law.FirstCheck)}: {Markup.Escape(law.FirstMessage)}");
        const int Shown = 10;
        foreach (FailureEntry failure in doc.Failures.Take(Shown))
        {
            AnsiConsole.MarkupLine($"[red]FAILED[/] {Markup.Escape(failure.Laws.Count > 0 ? string.Join(", ", failure.Laws) : failure.Role)}: {Markup.Escape(failure.Check)}");
            AnsiConsole.MarkupLine($"  {Markup.Escape(failure.Message)}");
            if (failure.Replay is not null)
                AnsiConsole.MarkupLine($"  replay: {Markup.Escape(failure.Replay)}");
        }
        if (doc.Failures.Count > Shown)
            AnsiConsole.MarkupLine($"... and {doc.Failures.Count - Shown} more failed checks, each with its replay command, in report.md");
        var table = new Table().AddColumns("concern", "laws", "passed", "failed", "not checked", "checks");
        foreach (ConcernEntry concern in doc.Concerns)
        {
            table.AddRow(Markup.Escape(concern.Title), N(concern.Laws.Count), N(concern.Laws.Count(l => l.Status == LawStatus.Passed)),
                N(concern.Laws.Count(l => l.Status == LawStatus.Failed)), N(concern.Laws.Count(l => l.Status == LawStatus.NotChecked)),
                N(concern.Laws.Sum(l => l.Checks)));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"exploration: {Markup.Escape(doc.Exploration.Summary)}");
        AnsiConsole.MarkupLine($"mutation: {Markup.Escape(doc.Figures.Mutation.Score is double s ? s.ToString("0.00", CultureInfo.InvariantCulture) + "%, " : "")}{Markup.Escape(doc.Figures.Mutation.Note)}");
        if (doc.Unmapped.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]{doc.Unmapped.Count} unmapped checks[/]: {Markup.Escape(string.Join(", ", doc.Unmapped.Select(c => c.MapKey).Distinct(StringComparer.Ordinal)))}");
        AnsiConsole.MarkupLine(doc.Passed
            ? $"[green]CERTIFIED[/]: {Markup.Escape(doc.VerdictReasons[0])}"
            : $"[red]NOT CERTIFIED[/]: {Markup.Escape(string.Join("; ", doc.VerdictReasons))}");
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
