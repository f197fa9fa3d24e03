using System.Globalization;
using AreaMalloc.Certify.Campaign;
using Spectre.Console;

namespace AreaMalloc.Certify.Progress;

/// <summary>Progress in an interactive terminal: one live bar per stage (Spectre.Console), redrawn in place.</summary>
internal sealed class LiveStageProgress(string stage, ProgressTask task) : IStageProgress
{
    private long _total = 1;
    private string _unit = "steps";

    /// <inheritdoc />
    public void Plan(long total, string unit, string? what = null)
    {
        _total = Math.Max(1, total);
        _unit = unit;
        task.MaxValue = _total;
        task.Value = 0;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{stage}: 0 of {total:N0} {unit}"));
    }

    /// <inheritdoc />
    public void Report(long done, long failed, string? detail)
    {
        task.Value = Math.Min(done, _total);
        string failures = failed == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", [red]{failed:N0} failed[/]");
        string text = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{stage}: {done:N0} of {_total:N0} {_unit}")) + failures +
            (detail is null ? "" : " [grey]" + Markup.Escape(Shorten(detail)) + "[/]");
        task.Description = text;
    }

    /// <summary>The stage's final state.</summary>
    public void Finish(int checks, int failed)
    {
        task.Value = task.MaxValue;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{stage}: {checks:N0} checks, ")) +
            (failed == 0 ? "[green]none failed[/]" : string.Create(CultureInfo.InvariantCulture, $"[red]{failed:N0} failed[/]"));
        task.StopTask();
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
