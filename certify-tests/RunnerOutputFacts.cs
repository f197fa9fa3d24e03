using AreaMalloc.Certify.Campaign;

namespace AreaMalloc.Certify.Tests;

/// <summary>What certify reads from the test runner: the list of tests, the result lines as they come, the effort each test reported.</summary>
public sealed class RunnerOutputFacts
{
    [Fact]
    public void The_listing_is_the_indented_names_after_the_header()
    {
        const string output = """
            Test run for /r/properties/bin/Release/net10.0/AreaMalloc.Properties.dll (.NETCoreApp,Version=v10.0)
            The following Tests are available:
                AreaMalloc.Properties.Soak.SoakTests.Two_threads_sharing_a_pool_keep_every_block_intact
                AreaMalloc.Properties.Facts.StressFacts.Threads_sharing_a_pool_never_see_their_blocks_damaged(threads: 2)
                AreaMalloc.Properties.Facts.StressFacts.Threads_sharing_a_pool_never_see_their_blocks_damaged(threads: 4)

            """;
        IReadOnlyList<string> names = TestListing.Parse(output);
        Assert.Equal(3, names.Count);
        Assert.Equal("AreaMalloc.Properties.Facts.StressFacts.Threads_sharing_a_pool_never_see_their_blocks_damaged(threads: 4)", names[2]);
    }

    [Fact]
    public void The_watcher_counts_result_lines_and_failures_and_ignores_the_summary()
    {
        var watcher = new TestRunWatcher();
        string[] lines =
        [
            "[xUnit.net 00:00:00.54]   Starting:    AreaMalloc.Properties",
            "  Passed AreaMalloc.Properties.Facts.CallocFacts.Calloc_of_zero_bytes_returns_a_unique_freeable_block(count: 0) [3 ms]",
            "  Failed AreaMalloc.Properties.Facts.CallocFacts.Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks(size: 64) [12 ms]",
            "  Error Message:",
            "   Assert.Equal() Failure: Passed through",
            "  Skipped AreaMalloc.Properties.Facts.AreaFacts.Something [1 ms]",
            "Test Run Failed.",
            "Total tests: 3",
            "     Passed: 1",
            "     Failed: 1",
            "Passed!  - Failed:     0, Passed:   647, Skipped:     0, Total:   647",
        ];
        foreach (string line in lines)
            watcher.OnLine(line);
        var (finished, failed, last) = watcher.Snapshot();
        Assert.Equal(3, finished);
        Assert.Equal(1, failed);
        Assert.Equal("AreaFacts.Something", last);
    }

    [Fact]
    public void Effort_comes_from_the_certify_figures_fscheck_and_the_model_summary()
    {
        Effort model = EffortReader.Read(new Dictionary<string, string> { ["sequences"] = "30000", ["commands"] = "1,234,567" }, "");
        Assert.Equal((30000, 1234567), (model.Sequences, model.Commands));

        Effort coyote = EffortReader.Read(new Dictionary<string, string> { ["iterations"] = "40000" }, "");
        Assert.Equal(40000, coyote.Schedules);

        Effort faults = EffortReader.Read(new Dictionary<string, string>
        {
            ["fault-injection sequences"] = "800", ["fault-injection commands"] = "52000", ["fault-injection faults injected"] = "9000",
        }, "");
        Assert.Equal((800, 52000, 9000), (faults.Sequences, faults.Commands, faults.FaultsInjected));

        Assert.Equal(10_000_000, EffortReader.Read(new Dictionary<string, string> { ["soak operations"] = "10000000" }, "").Operations);
        Assert.Equal(200, EffortReader.Read(new Dictionary<string, string>(), "Ok, passed 200 tests.").Cases);

        Effort poisoned = EffortReader.Read(new Dictionary<string, string>(),
            "Every_command_sequence_agrees_with_the_model against the real allocator with PoisonFreedMemory: passed, 300 sequences generated, 301 run (9179 commands) in 2.4 s");
        Assert.Equal((301, 9179), (poisoned.Sequences, poisoned.Commands));
        Assert.True(EffortReader.Read(new Dictionary<string, string>(), "nothing to see").IsNone);
    }

    [Fact]
    public void The_progress_channel_shows_the_latest_work_still_in_flight()
    {
        string file = Path.Combine(SyntheticCampaign.TempFolder(), "stage.progress");
        var channel = new ProgressFile(file);
        Assert.Null(channel.InFlight());
        File.WriteAllText(file, "model-based sequences\t300\t300\nsoak operations\t100000\t10000000\nsoak operations\t200000\t10000000\n");
        Assert.Equal("soak operations: 200,000 of 10,000,000", channel.InFlight());
        File.AppendAllText(file, "soak operations\t10000000\t10000000\nnot a progress line\n");
        Assert.Null(channel.InFlight());
    }
}

/// <summary>The one- or two-line message a failure gets in the reports.</summary>
public sealed class FailureMessageFacts
{
    [Fact]
    public void A_tests_failure_is_its_assertion_message_without_the_exception_line_or_the_stack()
    {
        string details = "FsCheck.Xunit.PropertyFailedException :\nFalsifiable, after 3 tests\nexpected 0, actual 222\n   at X.Y() in /a.cs:line 3";
        Assert.Equal("Falsifiable, after 3 tests expected 0, actual 222", Report.FailureMessage.Summary(details));
    }

    [Fact]
    public void A_gates_failure_names_the_failed_test_and_its_error_message()
    {
        string output = """
              Determining projects to restore...
              AreaMalloc -> /r/allocator/bin/Release/net10.0/AreaMalloc.dll
              Failed AreaMalloc.Properties.Facts.PoolLockFacts.Threads_contending [3 s]
              Error Message:
               a contending thread did not finish within 3 s
              Stack Trace:
                 at AreaMalloc.Properties.Facts.PoolLockFacts.Threads_contending()
            coverage: line 98.2% (minimum 95%), branch 95.3% (minimum 90%)
            """;
        Assert.Equal("Failed AreaMalloc.Properties.Facts.PoolLockFacts.Threads_contending [3 s] a contending thread did not finish within 3 s",
            Report.FailureMessage.Summary(output));
        Assert.Equal("coverage gate FAILED: line coverage 90% < 95%",
            Report.FailureMessage.Summary("Determining projects...\ncoverage gate FAILED: line coverage 90% < 95%\n"));
        Assert.Equal("-", Report.FailureMessage.Summary(null));
    }
}
