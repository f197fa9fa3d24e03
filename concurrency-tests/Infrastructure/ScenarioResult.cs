using System.Globalization;
using System.Text;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>What one run of a scenario found.</summary>
/// <param name="Scenario">The scenario's name (also the xunit trait that selects its tests).</param>
/// <param name="Strategy">The exploration strategy (replays follow the trace whatever it says).</param>
/// <param name="Seed">The seed of Coyote's random choices.</param>
/// <param name="IterationsRequested">The iteration bound.</param>
/// <param name="IterationsDone">Iterations run (Coyote stops at the first bug).</param>
/// <param name="BugsFound">Bugs found (0 or 1: Coyote stops at the first).</param>
/// <param name="BugReport">Coyote's report of the bug, or null.</param>
/// <param name="TracePath">The reproducible trace of the bug, written to a file, or null.</param>
/// <param name="Elapsed">Wall time of the exploration.</param>
/// <param name="ReplayedTrace">The trace that was replayed, or null for an exploration.</param>
public sealed record ScenarioResult(
    string Scenario,
    ExplorationStrategy Strategy,
    uint Seed,
    uint IterationsRequested,
    int IterationsDone,
    int BugsFound,
    string? BugReport,
    string? TracePath,
    TimeSpan Elapsed,
    string? ReplayedTrace)
{
    /// <summary>Scheduling steps Coyote explored over all iterations.</summary>
    public long SchedulingSteps { get; init; }

    /// <summary>True when Coyote found a bug.</summary>
    public bool FoundBug => BugsFound > 0;

    /// <summary>Iterations per second of wall time.</summary>
    public double IterationsPerSecond => Elapsed.TotalSeconds > 0 ? IterationsDone / Elapsed.TotalSeconds : 0;

    /// <summary>The shell command that replays <see cref="TracePath"/>, or null when there is no trace.</summary>
    public string? ReplayCommand => TracePath is null ? null : TraceFiles.ReplayCommand(Scenario, TracePath);

    /// <summary>One line: scenario, strategy, seed, iterations, speed, outcome.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario} [{(ReplayedTrace is null ? $"{Strategy.ShortName()}, seed {Seed}, budget {Budget.Name}" : "replay of a trace")}]: " +
        $"{IterationsDone}/{IterationsRequested} iterations in {Elapsed.TotalSeconds:0.00} s ({IterationsPerSecond:0} it/s, " +
        $"{(IterationsDone > 0 ? SchedulingSteps / IterationsDone : 0)} steps/it), " +
        $"{(FoundBug ? "BUG FOUND" : "no bug")}");

    /// <summary>The figures the certify campaign reads from the test output (<c>certify: key=value</c> lines).</summary>
    public IEnumerable<string> CertifyFigures()
    {
        yield return $"certify: budget={(ReplayedTrace is null ? $"{IterationsRequested} iterations ({Budget.Name})" : "replay")}";
        yield return $"certify: strategy={Strategy.ShortName()}";
        yield return string.Create(CultureInfo.InvariantCulture, $"certify: seed={Seed}");
        yield return string.Create(CultureInfo.InvariantCulture, $"certify: iterations={IterationsDone}");
        yield return string.Create(CultureInfo.InvariantCulture, $"certify: it/s={IterationsPerSecond:0}");
        yield return $"certify: bug={(FoundBug ? "found" : "none")}";
        if (ReplayCommand is not null)
            yield return $"certify: replay={ReplayCommand}";
    }

    /// <summary>Everything a failure message needs: the summary, the bug report, the trace and how to replay it.</summary>
    public string Describe()
    {
        var text = new StringBuilder(Summary).AppendLine();
        if (ReplayedTrace is not null)
            text.Append("replayed trace: ").AppendLine(ReplayedTrace);
        if (BugReport is not null)
            text.AppendLine("bug report:").AppendLine(BugReport);
        if (TracePath is not null)
            text.Append("trace: ").AppendLine(TracePath).Append("replay: ").AppendLine(ReplayCommand);
        return text.ToString();
    }
}
