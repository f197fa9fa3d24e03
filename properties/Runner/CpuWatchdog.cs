using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("AreaMalloc.Properties.Runner.WatchdogTestFramework", "AreaMalloc.Properties")]

namespace AreaMalloc.Properties.Runner;

/// <summary>
/// In fail-fast mode (<see cref="FailFast"/>, mutation testing) a test that burns far more CPU than any correct run of it
/// is a runaway loop: the watchdog ends the test process at once (<see cref="Environment.FailFast(string)"/>), which
/// the runner reports as a crash and Stryker as a Timeout, that is, killed. The budget is CPU time of this process,
/// not wall time, so a test that is merely slow because other jobs share the machine is never taken for a hang
/// (Stryker's own wall-clock timeout, set generously in <c>stryker-config.json</c>, stays as the backstop for a
/// test that hangs without using the CPU). Tests run one at a time under Stryker, so the process's CPU time since a
/// test started is that test's. Stryker's coverage run is never watched (<see cref="MutationProbe.CapturingCoverage"/>).
/// </summary>
public static class CpuWatchdog
{
    /// <summary>CPU seconds any test may use: JIT, first-use initialization and the whole test, many times over.</summary>
    public const double BaseBudgetSeconds = 4;

    /// <summary>A file the watchdog appends its message to before it ends the process (<c>.ci/mutation-gate</c> counts them).</summary>
    public const string LogEnvironmentVariable = "AREAMALLOC_WATCHDOG_LOG";

    /// <summary>Extra CPU seconds per rank of an <see cref="ExpensiveAttribute"/> class (a rank is about 0.1 s of its run).</summary>
    public const double SecondsPerRank = 0.4;

    private static readonly object Gate = new();
    private static string? running;
    private static TimeSpan startedAt;
    private static double budget;
    private static Thread? thread;

    /// <summary>The CPU budget of a test of <paramref name="rank"/> (0 for a class not marked expensive).</summary>
    /// <param name="rank">The class's <see cref="ExpensiveAttribute.Rank"/>.</param>
    /// <returns>Seconds of CPU time.</returns>
    public static double BudgetFor(int rank) => BaseBudgetSeconds + SecondsPerRank * Math.Max(0, rank);

    /// <summary>A test started: watch it from now on.</summary>
    /// <param name="test">Its display name (for the message).</param>
    /// <param name="budgetSeconds">The CPU seconds it may use.</param>
    public static void Started(string test, double budgetSeconds)
    {
        lock (Gate)
        {
            // Stryker's coverage run slows every mutated expression down many times: nothing there is a runaway loop,
            // and a kill would lose the coverage of every test after this one (their mutants would run no test).
            running = MutationProbe.CapturingCoverage ? null : test;
            startedAt = CpuTime();
            budget = budgetSeconds;
            if (thread is null)
            {
                thread = new Thread(Watch) { IsBackground = true, Name = "CPU watchdog" };
                thread.Start();
            }
        }
    }

    /// <summary>The test finished: stop watching it.</summary>
    public static void Finished()
    {
        lock (Gate)
        {
            running = null;
        }
    }

    private static void Watch()
    {
        while (true)
        {
            Thread.Sleep(100);
            lock (Gate)
            {
                if (running is null)
                {
                    continue;
                }

                double used = (CpuTime() - startedAt).TotalSeconds;
                if (used > budget && !MutationProbe.CapturingCoverage)
                {
                    string message = string.Create(CultureInfo.InvariantCulture,
                        $"CPU watchdog: {running} used {used:F1} s of CPU, over its budget of {budget:F1} s: a runaway loop ({MutationProbe.Describe()}; fail-fast mode, {FailFast.EnvironmentVariable}=1)");
                    Console.Error.WriteLine(message);
                    if (Environment.GetEnvironmentVariable(LogEnvironmentVariable) is { Length: > 0 } log)
                    {
                        File.AppendAllText(log, message + Environment.NewLine);
                    }

                    Environment.FailFast(message);
                }
            }
        }
    }

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

/// <summary>
/// xunit's own framework, with the <see cref="CpuWatchdog"/> told when each test starts and finishes when
/// <see cref="FailFast"/> is on (otherwise exactly xunit's framework).
/// </summary>
public sealed class WatchdogTestFramework : XunitTestFramework
{
    /// <summary>Created by xunit.</summary>
    /// <param name="messageSink">xunit's diagnostic sink.</param>
    public WatchdogTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
    }

    /// <inheritdoc />
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions) =>
            base.RunTestCases(testCases, FailFast.Enabled ? new WatchingSink(executionMessageSink) : executionMessageSink, executionOptions);
    }

    private sealed class WatchingSink(IMessageSink inner) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestStarting starting:
                    CpuWatchdog.Started(starting.Test.DisplayName, CpuWatchdog.BudgetFor(RankOf(starting.TestClass.Class.Name)));
                    break;
                case ITestFinished:
                    CpuWatchdog.Finished();
                    break;
            }

            return inner.OnMessage(message);
        }

        private static int RankOf(string className) =>
            typeof(CpuWatchdog).Assembly.GetType(className)?.GetCustomAttribute<ExpensiveAttribute>() is { } e ? e.Rank : 0;
    }
}
