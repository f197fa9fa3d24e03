using System.Globalization;
using AreaMalloc.Certify.Campaign;

namespace AreaMalloc.Certify.Progress;

/// <summary>
/// Progress for a log (CI, a pipe, a file): plain lines, no cursor movement. A stage prints a line when it starts (with
/// the total it will count up to), then at most one progress line per <see cref="Interval"/> while it runs (tests
/// finished of tests to run, failures so far, what runs now), and a line when it ends.
/// </summary>
internal sealed class PlainStageProgress(string stage, TextWriter writer, Func<TimeSpan> clock) : IStageProgress
{
    /// <summary>The least time between two progress lines of one stage.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly TimeSpan _started = clock();
    private TimeSpan _lastLine = clock();
    private long _total;
    private string _unit = "steps";
    private long _done;
    private long _failed;

    /// <inheritdoc />
    public void Plan(long total, string unit, string? what = null)
    {
        lock (_gate)
        {
            _total = total;
            _unit = unit;
            Write(string.Create(CultureInfo.InvariantCulture, $"{stage}: started, {total:N0} {unit} to run{(what is null ? "" : $" ({what})")}"));
        }
    }

    /// <inheritdoc />
    public void Report(long done, long failed, string? detail)
    {
        lock (_gate)
        {
            _done = done;
            _failed = failed;
            if (clock() - _lastLine < Interval)
                return;
            Write(string.Create(CultureInfo.InvariantCulture,
                $"{stage}: {done:N0} of {_total:N0} {_unit} finished{Failures(failed)}, {Duration.Text(clock() - _started)} in stage{(detail is null ? "" : $"; {detail}")}"));
        }
    }

    /// <summary>The stage's last line: what it finished, how many checks failed, and how long it took.</summary>
    public void Finish(int checks, int failed)
    {
        lock (_gate)
        {
            Write(string.Create(CultureInfo.InvariantCulture,
                $"{stage}: finished {_done:N0} of {_total:N0} {_unit} in {Duration.Text(clock() - _started)}: {checks:N0} {(checks == 1 ? "check" : "checks")}, {(failed == 0 ? "none failed" : $"{failed:N0} FAILED")}"));
        }
    }

    private static string Failures(long failed) => failed == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" ({failed:N0} failed)");

    private void Write(string text)
    {
        _lastLine = clock();
        writer.WriteLine($"[{Duration.Clock(_lastLine)}] {text}");
        writer.Flush();
    }
}

/// <summary>How durations are written for people.</summary>
internal static class Duration
{
    /// <summary>"42 s", "3 min 05 s", "1 h 02 min".</summary>
    public static string Text(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:00} min")
        : t.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds:00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s");

    /// <summary>"hh:mm:ss" since the campaign started.</summary>
    public static string Clock(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}");
}
