using AreaMalloc.Properties.Infrastructure;
using AreaMalloc.Properties.ModelBased.UnderTest;
using Xunit.Abstractions;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>The model-based property against the real allocator, at the budget of <see cref="Budget.Current"/>.</summary>
public sealed class ModelBasedProperties(ITestOutputHelper output)
{
    [Fact]
    public void Every_command_sequence_agrees_with_the_model()
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(new RealPoolFactory(), Budget.Current.ModelSequences, ReplaySeed.FromEnvironment());
        output.WriteLine(outcome.Summary + " [budget " + Budget.Current + "]");
        output.WriteLine(outcome.EventSummary);
        Assert.True(outcome.Passed, outcome.FailureText);
        Assert.True(outcome.LeakedSequences == 0, $"{outcome.LeakedSequences} sequences left areas mapped after the last put_module");
    }
}
