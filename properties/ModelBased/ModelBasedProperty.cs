using System.Diagnostics;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using FsCheck;
using FsCheck.Experimental;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.TestKit.ModelBased;
using AreaMalloc.Properties.Runner;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// The heart of the suite, as a public entry point (the xunit tests and the certify app call it):
/// every generated command sequence, run against an implementation, agrees with the reference model.
/// </summary>
public static class ModelBasedProperty
{
    /// <summary>The law, also the name of the xunit test that checks it against the real allocator.</summary>
    public const string Name = "Every_command_sequence_agrees_with_the_model";

    /// <summary>
    /// Checks up to <paramref name="maxTest"/> sequences against <paramref name="factory"/>'s implementation,
    /// stopping at the first failure, which is shrunk and reported.
    /// </summary>
    /// <param name="factory">Makes the implementation under test, once per sequence.</param>
    /// <param name="maxTest">Sequences to generate (<see cref="Budget.ModelSequences"/> in the suite).</param>
    /// <param name="replay">A seed to replay (the xunit test passes <see cref="ReplaySeed.FromEnvironment"/>), or null for a fresh random run.</param>
    /// <param name="maxCommands">The longest sequence; sequences grow from 1 command to this (default: the budget's).</param>
    /// <param name="testName">The xunit test that reads <see cref="ReplaySeed.EnvironmentVariable"/>, for the replay command in a report; null when none does.</param>
    /// <param name="shrink">False to report a failing sequence as generated, without shrinking it (fail-fast runs, <see cref="FailFast"/>).</param>
    /// <returns>The outcome.</returns>
    public static PropertyOutcome Check(IPoolFactory factory, int maxTest, ReplaySeed? replay = null, int? maxCommands = null, string? testName = Name, bool shrink = true)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var counters = new RunCounters();
        var machine = new AllocatorMachine(factory, counters, shrink);
        Config config = Config.Quick.WithMaxTest(maxTest).WithEndSize(maxCommands ?? Budget.Current.MaxCommands).WithName(Name);
        if (replay is ReplaySeed r)
        {
            config = r.Size is int size ? config.WithReplay(r.Seed, r.Gamma, size) : config.WithReplay(r.Seed, r.Gamma);
        }

        var clock = Stopwatch.StartNew();
        (TestResult result, int shrinks) = CapturingRunner.Run(machine.ToProperty(), config);
        clock.Stop();
        var outcome = new PropertyOutcome(Name, factory.Name, result.IsPassed, Tests(result), counters.Sequences, counters.Commands,
            counters.LeakedSequences, clock.Elapsed, null) { Events = new Dictionary<string, long>(counters.Events) };
        return result switch
        {
            TestResult.Failed failed => Failed(outcome, failed, shrinks, factory, testName),
            TestResult.Exhausted => outcome with { FailureText = "FsCheck gave up: too many sequences were discarded" },
            _ => outcome,
        };
    }

    /// <summary>The key seed of a replay that names none (<see cref="Replay(IPoolFactory, Command[])"/>): any fixed seed keeps it deterministic.</summary>
    public const ulong DefaultKeySeed = 0;

    /// <summary>Runs <paramref name="commands"/> against <paramref name="factory"/>'s implementation, as a regression test does, with the pools' keys from <see cref="DefaultKeySeed"/>.</summary>
    /// <param name="factory">The implementation.</param>
    /// <param name="commands">The sequence.</param>
    /// <returns>Null when it agrees with the model, else the failure.</returns>
    public static string? Replay(IPoolFactory factory, params Command[] commands) => Replay(factory, DefaultKeySeed, commands, out _);

    /// <summary>Runs <paramref name="commands"/> against <paramref name="factory"/>'s implementation with the pools' keys from <paramref name="keySeed"/> (a counterexample's <see cref="PropertyOutcome.KeySeed"/>).</summary>
    /// <param name="factory">The implementation.</param>
    /// <param name="keySeed">The seed of the pools' hardening keys (<see cref="IPoolFactory.Start"/>).</param>
    /// <param name="commands">The sequence.</param>
    /// <returns>Null when it agrees with the model, else the failure.</returns>
    public static string? Replay(IPoolFactory factory, ulong keySeed, params Command[] commands) => Replay(factory, keySeed, commands, out _);

    /// <summary>
    /// As <see cref="Replay(IPoolFactory, ulong, Command[])"/>, also returning the trace of model verdicts. The outcome is a
    /// function of the factory, <paramref name="keySeed"/> and <paramref name="commands"/>: every replay gives the same one.
    /// </summary>
    /// <param name="factory">The implementation.</param>
    /// <param name="keySeed">The seed of the pools' hardening keys.</param>
    /// <param name="commands">The sequence.</param>
    /// <param name="trace">One line per command.</param>
    /// <returns>Null when it agrees with the model, else the failure.</returns>
    public static string? Replay(IPoolFactory factory, ulong keySeed, IEnumerable<Command> commands, out IReadOnlyList<string> trace)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(commands);
        using var driver = new SequenceDriver(factory.Start(keySeed), new RunCounters(), keepTrace: true);
        foreach (Command command in commands)
        {
            if (driver.Execute(command) is not null)
            {
                break;
            }
        }

        trace = driver.Trace.ToList();
        return driver.Failure;
    }

    private static int Tests(TestResult result) => result switch
    {
        TestResult.Passed p => p.Item1.NumberOfTests,
        TestResult.Failed f => f.Item1.NumberOfTests,
        TestResult.Exhausted e => e.Item.NumberOfTests,
        _ => 0,
    };

    private static PropertyOutcome Failed(PropertyOutcome outcome, TestResult.Failed failed, int shrinks, IPoolFactory factory, string? testName)
    {
        List<Command>? original = CommandsOf(failed.Item2);
        List<Command>? shrunk = CommandsOf(failed.Item3);
        if (shrunk is null)
        {
            // Not a machine run: FsCheck itself failed (a generator threw, say).
            return outcome with { FailureText = Name + " failed outside any sequence: " + failed.Item4 };
        }

        IReadOnlyList<Command> counterexample = FailureReport.Renumber(shrunk);
        // The same keys as every run of the shrunk sequence: the seed is generated with it and never shrunk.
        ulong keySeed = KeySeedOf(failed.Item3)!.Value;
        string? violation = Replay(factory, keySeed, counterexample, out IReadOnlyList<string> trace);
        outcome = outcome with
        {
            Counterexample = counterexample,
            Violation = violation,
            KeySeed = keySeed,
            RunSeed = new ReplaySeed(failed.Item5.Seed, failed.Item5.Gamma),
            FailingSeed = new ReplaySeed(failed.Item6.Seed, failed.Item6.Gamma, failed.Item7),
        };
        return outcome with { FailureText = FailureReport.Render(outcome, original?.Count ?? 0, shrinks, trace, testName) };
    }

    private static ulong? KeySeedOf(Microsoft.FSharp.Collections.FSharpList<object> args) =>
        args.IsEmpty || args.Head is not MachineRun<SequenceDriver, GenState> run ? null : AllocatorMachine.KeySeedOf(run.Setup.Item2);

    private static List<Command>? CommandsOf(Microsoft.FSharp.Collections.FSharpList<object> args) =>
        args.IsEmpty || args.Head is not MachineRun<SequenceDriver, GenState> run
            ? null
            : run.Operations.Select(step => ((CommandOperation)step.Item1).Command).ToList();
}
