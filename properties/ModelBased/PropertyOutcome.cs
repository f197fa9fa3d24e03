using System.Globalization;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.Settings;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>What one run of the model-based property found, and how fast it went.</summary>
/// <param name="Property">The law checked.</param>
/// <param name="Implementation">The implementation it was checked against.</param>
/// <param name="Passed">True when no sequence disagreed with the model.</param>
/// <param name="Tests">Sequences FsCheck generated (up to and including the failing one).</param>
/// <param name="Sequences">Sequences run, shrink attempts included.</param>
/// <param name="Commands">Commands run, shrink attempts included.</param>
/// <param name="LeakedSequences">Sequences that left an area mapped after the module was put away.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="FailureText">The report of a failure (shrunk commands, violation, replay, regression test), or null.</param>
public sealed record PropertyOutcome(
    string Property,
    string Implementation,
    bool Passed,
    int Tests,
    long Sequences,
    long Commands,
    long LeakedSequences,
    TimeSpan Elapsed,
    string? FailureText)
{
    /// <summary>The shrunk counterexample, symbols renumbered densely; null when the property passed.</summary>
    public IReadOnlyList<Command>? Counterexample { get; init; }

    /// <summary>The violation the counterexample produces when replayed, or null.</summary>
    public string? Violation { get; init; }

    /// <summary>The seed that replays the failing sequence directly, or null.</summary>
    public ReplaySeed? FailingSeed { get; init; }

    /// <summary>The seed that replays the whole run, or null.</summary>
    public ReplaySeed? RunSeed { get; init; }

    /// <summary>
    /// The seed of the pools' hardening keys in the failing sequence, generated with it (replay the counterexample with
    /// <see cref="ModelBasedProperty.Replay(UnderTest.IPoolFactory, ulong, Command[])"/> and this seed); null when the property passed.
    /// </summary>
    public ulong? KeySeed { get; init; }

    /// <summary>How often each kind of interesting event happened over all sequences.</summary>
    public IReadOnlyDictionary<string, long> Events { get; init; } = new Dictionary<string, long>();

    /// <summary>The events, one per line, for logs.</summary>
    public string EventSummary => string.Join(Environment.NewLine, Events.Select(e => string.Create(CultureInfo.InvariantCulture, $"  {e.Value,9}  {e.Key}")));

    /// <summary>Sequences per second.</summary>
    public double SequencesPerSecond => Sequences / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>Commands per second.</summary>
    public double CommandsPerSecond => Commands / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>One line for logs.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Property} against {Implementation}: {(Passed ? "passed" : "FAILED")}, {Tests} sequences generated, {Sequences} run ({Commands} commands) in {Elapsed.TotalSeconds:F1} s: {SequencesPerSecond:F0} sequences/s, {CommandsPerSecond:F0} commands/s");
}
