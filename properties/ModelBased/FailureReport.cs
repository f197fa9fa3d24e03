using System.Globalization;
using System.Text;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.Settings;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// Turns a shrunk counterexample into what a person needs: the commands, readable; the violation; the trace
/// of the model's verdicts; how to replay it; and a ready-to-paste xunit test that replays it against the
/// real allocator as a regression test.
/// </summary>
public static class FailureReport
{
    /// <summary>Renames symbols to p1, p2... and b1, b2... in order of definition.</summary>
    /// <param name="commands">The commands.</param>
    /// <returns>The renamed commands.</returns>
    public static IReadOnlyList<Command> Renumber(IEnumerable<Command> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var list = commands.ToList();
        var pools = new Dictionary<int, int>();
        var blocks = new Dictionary<int, int>();
        foreach (Command c in list)
        {
            (int pool, int block) = c.Defines;
            if (pool != 0)
            {
                pools.TryAdd(pool, pools.Count + 1);
            }

            if (block != 0)
            {
                blocks.TryAdd(block, blocks.Count + 1);
            }
        }

        int Pool(int sym) => pools.TryGetValue(sym, out int n) ? n : pools[sym] = pools.Count + 1;
        int Block(int sym) => blocks.TryGetValue(sym, out int n) ? n : blocks[sym] = blocks.Count + 1;
        return list.Select(c => c.Rename(Pool, Block)).ToList();
    }

    /// <summary>The commands, numbered, one per line.</summary>
    /// <param name="commands">The commands.</param>
    /// <param name="indent">Leading spaces.</param>
    /// <returns>The text.</returns>
    public static string Listing(IEnumerable<Command> commands, string indent = "    ") =>
        string.Join(Environment.NewLine, commands.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{indent}{i + 1,2}. {c}")));

    /// <summary>A ready-to-paste xunit test that replays <paramref name="commands"/> against the real allocator, with the pools' keys from <paramref name="keySeed"/>.</summary>
    /// <param name="commands">The counterexample.</param>
    /// <param name="testName">The test method's name.</param>
    /// <param name="keySeed">The counterexample's key seed (<see cref="PropertyOutcome.KeySeed"/>).</param>
    /// <returns>C# source.</returns>
    public static string RegressionTest(IEnumerable<Command> commands, string testName, ulong keySeed = ModelBasedProperty.DefaultKeySeed)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var code = new StringBuilder();
        code.AppendLine("    // needs: using AreaMalloc.Models; using AreaMalloc.Properties.ModelBased;");
        code.AppendLine("    //        using AreaMalloc.TestKit.ModelBased.Commands; using AreaMalloc.TestKit.ModelBased.UnderTest;");
        code.AppendLine("    [Fact]");
        code.Append("    public void ").Append(testName).AppendLine("()");
        code.AppendLine("    {");
        code.AppendLine(string.Create(CultureInfo.InvariantCulture, $"        string? failure = ModelBasedProperty.Replay(new RealPoolFactory(), keySeed: 0x{keySeed:x16},"));
        var lines = commands.ToList();
        for (int i = 0; i < lines.Count; i++)
        {
            code.Append("            ").Append(lines[i].ToCSharp()).AppendLine(i + 1 < lines.Count ? "," : ");");
        }

        code.AppendLine("        Assert.Null(failure);");
        code.Append("    }");
        return code.ToString();
    }

    /// <summary>The whole failure report.</summary>
    /// <param name="outcome">The outcome so far (counts, seeds, counterexample, violation).</param>
    /// <param name="originalLength">Commands in the sequence before shrinking.</param>
    /// <param name="shrinks">Shrink steps taken.</param>
    /// <param name="trace">The trace of the counterexample's replay.</param>
    /// <param name="testName">The xunit test that replays from the environment, for the replay command line; null for none.</param>
    /// <returns>The text.</returns>
    public static string Render(PropertyOutcome outcome, int originalLength, int shrinks, IReadOnlyList<string> trace, string? testName)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(trace);
        IReadOnlyList<Command> commands = outcome.Counterexample ?? [];
        string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(Invariant($"{outcome.Property} FAILED against {outcome.Implementation} at sequence {outcome.Tests}."));
        text.AppendLine(Invariant($"Shrunk counterexample ({commands.Count} commands, shrunk from {originalLength} in {shrinks} steps):"));
        text.AppendLine(Listing(commands));
        text.AppendLine("Violation:");
        text.AppendLine("    " + (outcome.Violation ?? "(the shrunk sequence passed when replayed: the failure depends on state outside the sequence)"));
        text.AppendLine("Trace of the counterexample (model verdicts):");
        foreach (string line in trace)
        {
            text.AppendLine("  " + line);
        }

        text.AppendLine("Replay:");
        if (testName is not null)
        {
            text.AppendLine(Invariant($"    the failing sequence directly:  {ReplaySeed.EnvironmentVariable}=\"{outcome.FailingSeed}\" dotnet test properties/AreaMalloc.Properties.csproj --filter \"FullyQualifiedName~{testName}\""));
            text.AppendLine(Invariant($"    the whole run (same budget):    {ReplaySeed.EnvironmentVariable}=\"{outcome.RunSeed}\" {Budget.EnvironmentVariable}={Budget.Current.Name} dotnet test ... (same filter)"));
        }

        text.AppendLine(Invariant($"    in code:                        ModelBasedProperty.Check(factory, maxTest, ReplaySeed.Parse(\"{outcome.FailingSeed}\"))"));
        text.AppendLine(Invariant($"    the counterexample alone:       ModelBasedProperty.Replay(factory, keySeed: 0x{outcome.KeySeed ?? ModelBasedProperty.DefaultKeySeed:x16}, commands) (the seed of the pools' hardening keys)"));
        text.AppendLine("Regression test (replays the counterexample against the real allocator; paste into a test class and name it after the law the sequence pins):");
        string name = "The_law_this_sequence_pins_holds";
        text.Append(RegressionTest(commands, name, outcome.KeySeed ?? ModelBasedProperty.DefaultKeySeed));
        return text.ToString();
    }
}
