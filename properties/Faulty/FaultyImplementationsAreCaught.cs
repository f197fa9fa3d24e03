using AreaMalloc.Properties.Infrastructure;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.Properties.ModelBased.UnderTest;
using Xunit.Abstractions;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// The model-based property is not vacuous: each faulty implementation below must be caught by the same
/// property that certifies the real allocator, with a counterexample shrunk to a handful of commands, which
/// the real allocator passes (so the fault, not the test, is what the counterexample shows).
/// </summary>
[Expensive(16)]
public sealed class FaultyImplementationsAreCaught(ITestOutputHelper output)
{
    /// <summary>Sequences the property may take to find a fault: well above what any of them needs.</summary>
    private const int SearchBudget = 2000;

    /// <summary>The longest a shrunk counterexample may be.</summary>
    private const int ShortCounterexample = 6;

    [Fact]
    public void Calloc_that_does_not_zero_reused_memory_is_caught()
    {
        PropertyOutcome outcome = Catch(new FaultyFactory("calloc does not zero reused memory", p => new CallocWithoutZeroing(p)));
        Assert.Contains("calloc memory must be zero", outcome.Violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Realloc_that_copies_one_byte_short_is_caught()
    {
        PropertyOutcome outcome = Catch(new FaultyFactory("realloc copies one byte short", p => new ReallocOneByteShort(p)));
        Assert.Contains("inside the prefix realloc must preserve", outcome.Violation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_freed_block_handed_out_twice_is_caught()
    {
        PropertyOutcome outcome = Catch(new FaultyFactory("a freed block is handed out twice", p => new FreedBlockHandedOutTwice(p)));
        Assert.Contains("overlaps live block", outcome.Violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_off_by_one_are_caught()
    {
        PropertyOutcome outcome = Catch(new FaultyFactory("live blocks off by one after a moving realloc", p => new StatisticsOffByOne(p)));
        Assert.Contains("statistics: expected", outcome.Violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Coalescing_that_loses_a_neighbour_is_caught()
    {
        PropertyOutcome outcome = Catch(new FaultyFactory("coalescing loses the neighbour", p => new CoalescingLosesNeighbour(p)));
        Assert.Matches("expected a block|not pristine|must be as pristine", outcome.Violation);
    }

    [Fact]
    public void The_reported_seeds_replay_the_same_counterexample()
    {
        var faulty = new FaultyFactory("calloc does not zero reused memory", p => new CallocWithoutZeroing(p));
        PropertyOutcome found = Catch(faulty);
        PropertyOutcome direct = ModelBasedProperty.Check(faulty, 1, found.FailingSeed, testName: null);
        PropertyOutcome whole = ModelBasedProperty.Check(faulty, SearchBudget, found.RunSeed, testName: null);
        Assert.Equal(found.Counterexample!, direct.Counterexample!);
        Assert.Equal(found.Counterexample!, whole.Counterexample!);
        Assert.Equal(found.Tests, whole.Tests);
    }

    private PropertyOutcome Catch(IPoolFactory faulty)
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(faulty, SearchBudget, replay: null, maxCommands: null, testName: null);
        output.WriteLine(outcome.Summary);
        output.WriteLine(outcome.FailureText ?? "(no failure)");
        Assert.False(outcome.Passed, $"{faulty.Name} passed {outcome.Tests} sequences: the property cannot tell it from a correct allocator");
        Assert.NotNull(outcome.Counterexample);
        Assert.NotNull(outcome.Violation);
        Assert.InRange(outcome.Counterexample.Count, 1, ShortCounterexample);
        string? onReal = ModelBasedProperty.Replay(new RealPoolFactory(), [.. outcome.Counterexample]);
        Assert.True(onReal is null, "the counterexample also fails on the real allocator: " + onReal);
        return outcome;
    }
}
