using AreaMalloc.Certify.Progress;

namespace AreaMalloc.Certify.Tests;

/// <summary>Progress in a log: a start line with the total, at most one line per stage every 30 seconds, an end line.</summary>
public sealed class ProgressFacts
{
    private sealed class FakeClock
    {
        public TimeSpan Now { get; set; }
    }

    [Fact]
    public void A_stage_prints_its_total_at_the_start_and_at_most_one_progress_line_per_30_seconds()
    {
        var clock = new FakeClock { Now = TimeSpan.FromSeconds(10) };
        var log = new StringWriter();
        var progress = new PlainStageProgress("properties", log, () => clock.Now);
        progress.Plan(647, "tests", "dotnet test properties");
        for (int second = 0; second <= 95; second++)
        {
            clock.Now = TimeSpan.FromSeconds(10 + second);
            progress.Report(second * 5, second >= 50 ? 1 : 0, "last finished: CallocFacts.X");
        }
        progress.Finish(647, 1);
        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("[00:00:10] properties: started, 647 tests to run (dotnet test properties)", lines[0]);
        Assert.Equal(
            [
                "[00:00:40] properties: 150 of 647 tests finished, 30 s in stage; last finished: CallocFacts.X",
                "[00:01:10] properties: 300 of 647 tests finished (1 failed), 1 min 00 s in stage; last finished: CallocFacts.X",
                "[00:01:40] properties: 450 of 647 tests finished (1 failed), 1 min 30 s in stage; last finished: CallocFacts.X",
            ], lines[1..^1]);
        Assert.Equal("[00:01:45] properties: finished 475 of 647 tests in 1 min 35 s: 647 checks, 1 FAILED", lines[^1]);
        Assert.DoesNotContain('\r', log.ToString());
        Assert.DoesNotContain('\u001b', log.ToString());
    }

    [Fact]
    public void A_silent_stage_still_says_every_30_seconds_that_it_is_running()
    {
        var clock = new FakeClock();
        var log = new StringWriter();
        var progress = new PlainStageProgress("coverage", log, () => clock.Now);
        progress.Plan(1, "gate", "bash .ci/coverage-gate");
        for (int tick = 1; tick <= 130; tick++)
        {
            clock.Now = TimeSpan.FromSeconds(tick * 0.5);
            progress.Report(0, 0, "bash .ci/coverage-gate");
        }
        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("[00:00:30] coverage: 0 of 1 gate finished, 30 s in stage; bash .ci/coverage-gate", lines[1]);
        Assert.StartsWith("[00:01:00] coverage: 0 of 1 gate finished", lines[2], StringComparison.Ordinal);
    }
}
