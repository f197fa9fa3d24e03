using AreaMalloc.Pool;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using Xunit.Abstractions;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.Properties.Runner;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// The model-based property again, with every pool poisoning its freed memory: the same commands must give the same
/// outcomes (poison changes no address and no return value), calloc must still zero, and the integrity walker, run after
/// every command, now also checks that every free byte below the dirty mark holds the poison.
/// </summary>
[Expensive(45)]
public sealed class PoisonedModelProperty(ITestOutputHelper output)
{
    [Fact]
    public void Poisoned_pools_agree_with_the_model_on_every_command_sequence()
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(new RealPoolFactory(PoolHardening.PoisonFreedMemory), Budget.Current.ModelSequences, testName: null);
        output.WriteLine(outcome.Summary + " [budget " + Budget.Current + "]");
        output.WriteLine(outcome.EventSummary);
        Assert.True(outcome.Passed, outcome.FailureText);
        Assert.True(outcome.LeakedSequences == 0, $"{outcome.LeakedSequences} sequences left areas mapped after the last put_module");
    }
}
