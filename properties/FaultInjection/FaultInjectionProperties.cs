using System.Diagnostics;
using System.Globalization;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.TestKit.ModelBased.Commands;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.ModelBased;
using AreaMalloc.Properties.Runner;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.FaultInjection;

/// <summary>
/// Deterministic simulation of the area layer: every generated command sequence is run once without faults to
/// count its OS calls, then once per call with exactly that call failing (errnos in turn), through the model-based
/// driver. See <see cref="FaultInjectingModule"/> for what each fault must surface as, and
/// <see cref="FaultInjectionRun"/> for the leak checks.
/// </summary>
public sealed class FaultInjectionProperties(ITestOutputHelper output)
{
    /// <summary>Sequences at the CI budget.</summary>
    public const int CiSequences = 8;

    /// <summary>The faulted runs per sequence at most (every call site when the sequence has no more calls).</summary>
    public const int MaxFaultsPerSequence = 16;

    [SpecRow("area-backend")]
    [Fact]
    public void Every_injected_OS_failure_surfaces_as_documented_and_leaks_nothing()
    {
        Budget budget = Budget.Current;
        int maxTest = budget.Scale(CiSequences);
        var counters = new FaultCounters();
        string? failure = null;
        Gen<(Command[] Commands, int Errno)> gen =
            from n in Gen.Choose(1, budget.MaxCommands)
            from commands in Sequence(GenState.Initial, n)
            from errno in Gen.Choose(0, Errnos.All.Count - 1)
            select (commands, errno);
        Property property = Prop.ForAll(Arb.From(gen), input =>
        {
            string? f = Check(input.Commands, input.Errno, counters);
            if (f is not null)
            {
                failure ??= f;
                Progress.Report("fault-injection sequences", counters.Sequences, maxTest);
            }

            return f is null;
        });
        var clock = Stopwatch.StartNew();
        ReplaySeed? replay = ReplaySeed.FromEnvironment();
        Config config = Config.Quick.WithMaxTest(maxTest).WithName(nameof(Every_injected_OS_failure_surfaces_as_documented_and_leaks_nothing));
        if (replay is ReplaySeed r)
        {
            config = config.WithReplay(r.Seed, r.Gamma);
        }

        (TestResult result, _) = CapturingRunner.Run(property, config);
        clock.Stop();
        Progress.Report("fault-injection sequences", counters.Sequences, maxTest);
        foreach ((string what, long count) in counters.Events)
        {
            output.WriteLine($"  {count,8}  {what}");
        }

        Line($"certify: fault-injection budget={maxTest} sequences ({budget.Name})");
        Line($"certify: fault-injection sequences={counters.Sequences}");
        Line($"certify: fault-injection runs={counters.Runs}");
        Line($"certify: fault-injection faults injected={counters.Injected}");
        Line($"certify: fault-injection commands={counters.Commands.Commands}");
        Line($"certify: fault-injection seconds={clock.Elapsed.TotalSeconds:0.0}");
        Assert.True(result.IsPassed, failure ?? "FsCheck: " + result);
        Assert.True(counters.Injected > 0, "no fault was ever injected");
    }

    /// <summary>A sequence of <paramref name="n"/> commands from the model-based generator, starting in <paramref name="s"/>.</summary>
    private static Gen<Command[]> Sequence(GenState s, int n) => n == 0
        ? Gen.Constant(Array.Empty<Command>())
        : from c in CommandGenerator.Next(s)
          from rest in Sequence(c.Apply(s), n - 1)
          select (Command[])[c, .. rest];

    private static string? Check(Command[] commands, int errnoOffset, FaultCounters counters)
    {
        counters.Sequences++;
        string? clean = FaultInjectionRun.Run(commands, FaultPlan.None, counters, out long calls);
        if (clean is not null)
        {
            return "without faults: " + clean + Environment.NewLine + Describe(commands);
        }

        // Every call site when there are few; else evenly spread over them.
        long step = Math.Max(1, (calls + MaxFaultsPerSequence - 1) / MaxFaultsPerSequence);
        for (long nth = 1; nth <= calls; nth += step)
        {
            int errno = Errnos.All[(int)((errnoOffset + nth) % Errnos.All.Count)];
            var plan = new FaultPlan(nth, null, errno);
            string? f = FaultInjectionRun.Run(commands, plan, counters, out _);
            if (f is not null)
            {
                return $"{plan}: {f}{Environment.NewLine}{Describe(commands)}";
            }
        }

        return null;
    }

    private static string Describe(Command[] commands) =>
        "commands:" + Environment.NewLine + string.Join(Environment.NewLine, commands.Select((c, i) => $"  {i + 1,3}. {c}"));

    private void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
}
