using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using FsCheck;
using FsCheck.Experimental;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using AreaMalloc.TestKit.ModelBased;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// The FsCheck state machine: the actual side is a <see cref="SequenceDriver"/> over a fresh module from the
/// factory, the model side the generator's <see cref="GenState"/>. Sequence length follows FsCheck's size
/// (1 up to the configured end size). Shrinking first drops commands (FsCheck's list shrinker), then
/// makes the remaining commands' arguments smaller (<see cref="Command.ShrinkArguments"/>); a machine made
/// with <c>shrink: false</c> offers no smaller sequence, so FsCheck reports the failing sequence as generated.
/// </summary>
public sealed class AllocatorMachine : Machine<SequenceDriver, GenState>
{
    private readonly IPoolFactory factory;
    private readonly RunCounters counters;
    private readonly bool shrink;

    /// <summary>A machine over <paramref name="factory"/>, counting into <paramref name="counters"/>.</summary>
    /// <param name="factory">Makes the implementation under test.</param>
    /// <param name="counters">Totals.</param>
    /// <param name="shrink">False to offer no smaller sequence when one fails (fail-fast runs: the failure is all they need).</param>
    public AllocatorMachine(IPoolFactory factory, RunCounters counters, bool shrink = true)
        : base(-1)
    {
        this.factory = factory;
        this.counters = counters;
        this.shrink = shrink;
    }

    /// <summary>
    /// Each sequence starts from a generated seed of its pools' hardening keys (<see cref="IPoolFactory.Start"/>), drawn
    /// from the run's random stream like the commands: a replay of the run or of the sequence regenerates the same seed,
    /// so the pools get the same keys and the outcome is the same. The seed has no shrinker: shrinking keeps the keys
    /// under which the sequence failed, and the counterexample is reported with its seed (<see cref="DriverSetup.KeySeed"/>).
    /// </summary>
    public override Arbitrary<Setup<SequenceDriver, GenState>> Setup =>
        Arb.From(KeySeeds.Select(seed => (Setup<SequenceDriver, GenState>)new DriverSetup(factory, counters, seed)));

    /// <summary>Uniform 64-bit seeds, whatever FsCheck's size (two independent uniform 32-bit halves).</summary>
    private static Gen<ulong> KeySeeds { get; } =
        Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => ((ulong)(uint)t.Item1 << 32) | (uint)t.Item2);

    /// <summary>The key seed of a generated sequence's setup (<see cref="MachineRun{TActual, TModel}.Setup"/>'s second item).</summary>
    /// <param name="setup">The setup of a sequence this machine generated.</param>
    /// <returns>Its key seed.</returns>
    public static ulong KeySeedOf(Setup<SequenceDriver, GenState> setup) => ((DriverSetup)setup).KeySeed;

    /// <inheritdoc />
    public override TearDown<SequenceDriver> TearDown => new DriverTearDown();

    /// <inheritdoc />
    public override Gen<Operation<SequenceDriver, GenState>> Next(GenState model) =>
        CommandGenerator.Next(model).Select(c => (Operation<SequenceDriver, GenState>)new CommandOperation(c));

    /// <inheritdoc />
    public override IEnumerable<FSharpList<Operation<SequenceDriver, GenState>>> ShrinkOperations(FSharpList<Operation<SequenceDriver, GenState>> s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!shrink)
        {
            yield break;
        }

        foreach (FSharpList<Operation<SequenceDriver, GenState>> shorter in base.ShrinkOperations(s))
        {
            yield return shorter;
        }

        var ops = s.ToArray();
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (Command smaller in ((CommandOperation)ops[i]).Command.ShrinkArguments())
            {
                var copy = (Operation<SequenceDriver, GenState>[])ops.Clone();
                copy[i] = new CommandOperation(smaller);
                yield return ListModule.OfArray(copy);
            }
        }
    }

    private sealed class DriverSetup(IPoolFactory factory, RunCounters counters, ulong keySeed) : Setup<SequenceDriver, GenState>
    {
        public ulong KeySeed => keySeed;

        public override SequenceDriver Actual() => new(factory.Start(keySeed), counters);

        public override GenState Model() => GenState.Initial;

        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{factory.Name}, key seed 0x{keySeed:x16}");
    }

    private sealed class DriverTearDown : TearDown<SequenceDriver>
    {
        public override void Actual(SequenceDriver actual) => actual?.Dispose();
    }
}

/// <summary>One command as a FsCheck operation: precondition and model step from the command, check by the driver.</summary>
/// <param name="command">The command.</param>
public sealed class CommandOperation(Command command) : Operation<SequenceDriver, GenState>
{
    /// <summary>The command.</summary>
    public Command Command { get; } = command;

    /// <inheritdoc />
    public override bool Pre(GenState model) => Command.Pre(model);

    /// <inheritdoc />
    public override GenState Run(GenState model) => Command.Apply(model);

    /// <inheritdoc />
    public override Property Check(SequenceDriver actual, GenState model)
    {
        ArgumentNullException.ThrowIfNull(actual);
        string? failure = actual.Execute(Command);
        return failure is null ? Prop.ToProperty(true) : Prop.Label(false, failure);
    }

    /// <inheritdoc />
    public override string ToString() => Command.ToString();
}
