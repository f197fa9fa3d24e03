using AreaMalloc.Pool;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using Xunit.Abstractions;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.Properties.Runner;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// The model-based property again, with every pool caching freed small blocks in per-thread magazines: the same
/// commands must give the same outcomes (a freed block is free, wherever it waits), statistics must still equal the
/// model's, and the integrity walker, run after every command, finds every cached block back in its slab.
/// </summary>
[Expensive(45)]
public sealed class CachedModelProperty(ITestOutputHelper output)
{
    [Fact]
    public void Caching_pools_agree_with_the_model_on_every_command_sequence()
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(new RealPoolFactory(caching: PoolCaching.ThreadMagazines), Budget.Current.ModelSequences, testName: null);
        output.WriteLine(outcome.Summary + " [budget " + Budget.Current + "]");
        output.WriteLine(outcome.EventSummary);
        Assert.True(outcome.Passed, outcome.FailureText);
        Assert.True(outcome.LeakedSequences == 0, $"{outcome.LeakedSequences} sequences left areas mapped after the last put_module");
    }
}
