using AreaMalloc.Properties.ModelBased;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using Xunit.Abstractions;
using AreaMalloc.Properties.Runner;

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

    /// <summary>
    /// The longest a shrunk counterexample may be. Shrinking stops at a local minimum: over 1,500 random run seeds, 3
    /// runs of the handed-out-twice fault ended at 7 commands, none longer.
    /// </summary>
    private const int ShortCounterexample = 8;

    [Fact]
    public void Calloc_that_does_not_zero_reused_memory_is_caught()
    {
        Catch(new FaultyFactory("calloc does not zero reused memory", p => new CallocWithoutZeroing(p)), "calloc memory must be zero");
    }

    [Fact]
    public void Realloc_that_copies_one_byte_short_is_caught()
    {
        Catch(new FaultyFactory("realloc copies one byte short", p => new ReallocOneByteShort(p)), "inside the prefix realloc must preserve");
    }

    [Fact]
    public void A_freed_block_handed_out_twice_is_caught()
    {
        // Usually the second hand-out overlaps a live block; in about 0.3% of random runs (1,500 run seeds measured) the
        // first symptom is a block the pool no longer counts as live (usable size 0), met by a later malloc's check.
        Catch(new FaultyFactory("a freed block is handed out twice", p => new FreedBlockHandedOutTwice(p)),
            "overlaps live block|the usable size must be at least");
    }

    [Fact]
    public void Statistics_off_by_one_are_caught()
    {
        Catch(new FaultyFactory("live blocks off by one after a moving realloc", p => new StatisticsOffByOne(p)), "statistics: expected");
    }

    [Fact]
    public void A_largest_free_block_that_is_the_free_total_is_caught()
    {
        Catch(new FaultyFactory("LargestFreeBlock reports every free byte", p => new LargestFreeBlockIsTheFreeTotal(p)), "LargestFreeBlock expected");
    }

    [Fact]
    public void A_failed_realloc_left_uncounted_is_caught()
    {
        Catch(new FaultyFactory("a failed realloc is not counted", p => new FailedReallocUncounted(p)), "statistics: expected|FailedAllocations expected");
    }

    [Fact]
    public void Coalescing_that_loses_a_neighbour_is_caught()
    {
        Catch(new FaultyFactory("coalescing loses the neighbour", p => new CoalescingLosesNeighbour(p)), "expected a block|not pristine|must be as pristine|breaks its law");
    }

    [Fact]
    public void The_reported_seeds_replay_the_same_counterexample()
    {
        var faulty = new FaultyFactory("calloc does not zero reused memory", p => new CallocWithoutZeroing(p));
        PropertyOutcome found = Catch(faulty, "calloc memory must be zero");
        PropertyOutcome direct = ModelBasedProperty.Check(faulty, 1, found.FailingSeed, testName: null);
        PropertyOutcome whole = ModelBasedProperty.Check(faulty, SearchBudget, found.RunSeed, testName: null);
        Assert.Equal(found.Counterexample!, direct.Counterexample!);
        Assert.Equal(found.Counterexample!, whole.Counterexample!);
        Assert.Equal(found.Tests, whole.Tests);
    }

    /// <summary>
    /// Runs the property on <paramref name="faulty"/>: it must fail, with a violation matching <paramref name="symptom"/>
    /// (a regular expression), on a counterexample of at most <see cref="ShortCounterexample"/> commands that the real
    /// allocator passes. Every failure names the run seed that replays it.
    /// </summary>
    private PropertyOutcome Catch(IPoolFactory faulty, string symptom)
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(faulty, SearchBudget, replay: null, maxCommands: null, testName: null);
        output.WriteLine(outcome.Summary);
        output.WriteLine(outcome.FailureText ?? "(no failure)");
        string replay = $"(replay: ModelBasedProperty.Check(factory, {SearchBudget}, ReplaySeed.Parse(\"{outcome.RunSeed}\")))";
        Assert.False(outcome.Passed, $"{faulty.Name} passed {outcome.Tests} sequences: the property cannot tell it from a correct allocator");
        Assert.True(outcome.Counterexample is not null && outcome.Violation is not null, $"{faulty.Name}: the failure has no counterexample or no violation {replay}");
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(outcome.Violation!, symptom),
            $"{faulty.Name}: expected a violation matching \"{symptom}\"; actual \"{outcome.Violation}\" {replay}");
        Assert.True(outcome.Counterexample!.Count is >= 1 and <= ShortCounterexample,
            $"{faulty.Name}: expected a counterexample of 1 to {ShortCounterexample} commands; actual {outcome.Counterexample.Count} {replay}");
        string? onReal = ModelBasedProperty.Replay(new RealPoolFactory(), outcome.KeySeed!.Value, [.. outcome.Counterexample]);
        Assert.True(onReal is null, $"the counterexample also fails on the real allocator: {onReal} {replay}");
        return outcome;
    }
}
