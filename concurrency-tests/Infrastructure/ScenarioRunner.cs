using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.SystematicTesting;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>
/// Runs one scenario under Coyote's in-process <see cref="TestingEngine"/>: builds the configuration from the
/// settings, installs the allocator's interleaving hook for the run, and on a bug writes the reproducible trace to a
/// file and prints its path and the command that replays it. While it explores, a note next to the traces says how
/// to run the same exploration again, in case the process dies (see <see cref="TraceFiles.WriteRunningNote"/>).
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Explores (or replays) <paramref name="iteration"/>, one call per iteration, as <paramref name="settings"/> say.</summary>
    /// <param name="scenario">The scenario's name: trace files start with it, and it selects the scenario's tests when replaying.</param>
    /// <param name="settings">Iterations, strategy, seed, trace directory, and the trace to replay if any.</param>
    /// <param name="iteration">One iteration of the scenario: it starts its tasks and checks its laws with <c>Specification.Assert</c>.</param>
    /// <param name="configure">Scenario-specific Coyote options (for example race checking at managed memory accesses), applied before the strategy.</param>
    public static ScenarioResult Run(string scenario, ScenarioSettings settings, Func<Task> iteration,
        Func<Configuration, Configuration>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(iteration);
        uint seed = settings.Seed ?? (uint)System.Random.Shared.Next();
        bool replaying = settings.ReplayTrace is not null;
        Configuration configuration = Configuration.Create()
            .WithTestingIterations(replaying ? 1 : settings.Iterations)
            .WithRandomGeneratorSeed(seed)
            .WithTelemetryEnabled(false)
            .WithVerbosityEnabled(VerbosityLevel.None);
        configuration = (configure?.Invoke(configuration) ?? configuration).Apply(settings.Strategy);
        if (replaying)
            configuration = configuration.WithReproducibleTrace(File.ReadAllText(settings.ReplayTrace!));

        string? runningNote = replaying ? null
            : TraceFiles.WriteRunningNote(settings.TraceDirectory, scenario, settings.Strategy, seed, settings.Iterations);
        var clock = Stopwatch.StartNew();
        TestReport report;
        string trace;
        using (new InterleavingHookScope())
        using (TestingEngine engine = TestingEngine.Create(configuration, iteration))
        {
            engine.Run();
            report = engine.TestReport;
            trace = engine.ReproducibleTrace;
        }
        clock.Stop();
        if (runningNote is not null)
            File.Delete(runningNote);

        string? bugReport = report.NumOfFoundBugs > 0 ? string.Join(Environment.NewLine, report.BugReports) : null;
        string? tracePath = null;
        if (bugReport is not null && !replaying && !string.IsNullOrEmpty(trace))
            tracePath = TraceFiles.Write(settings.TraceDirectory, scenario, settings.Strategy, trace);
        var result = new ScenarioResult(scenario, settings.Strategy, seed, replaying ? 1 : settings.Iterations,
            report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths, report.NumOfFoundBugs, bugReport, tracePath,
            clock.Elapsed, settings.ReplayTrace)
        {
            SchedulingSteps = (long)report.TotalExploredFairSteps + report.TotalExploredUnfairSteps,
        };
        if (tracePath is not null)
            Console.Error.WriteLine($"Coyote found a bug in {scenario}; trace: {tracePath}{Environment.NewLine}replay: {result.ReplayCommand}");
        return result;
    }
}
