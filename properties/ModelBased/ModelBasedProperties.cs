using AreaMalloc.TestKit.ModelBased.UnderTest;
using Xunit.Abstractions;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.Properties.Runner;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// The model-based property against the real allocator, at the budget of <see cref="Budget.Current"/>. In fail-fast
/// mode (<see cref="FailFast"/>, mutation testing) a failing sequence is reported unshrunk.
/// </summary>
[Expensive(40)]
public sealed class ModelBasedProperties(ITestOutputHelper output)
{
    [Fact]
    public void Every_command_sequence_agrees_with_the_model()
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(
            new RealPoolFactory(), Budget.Current.ModelSequences, ReplaySeed.FromEnvironment(), shrink: !FailFast.Enabled);
        output.WriteLine(outcome.Summary + " [budget " + Budget.Current + "]");
        output.WriteLine(outcome.EventSummary);
        Progress.Report("model-based sequences", outcome.Sequences, Budget.Current.ModelSequences);
        output.WriteLine($"certify: budget={Budget.Current.ModelSequences} sequences ({Budget.Current.Name})");
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"certify: sequences={outcome.Sequences}"));
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"certify: commands={outcome.Commands}"));
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"certify: sequences/s={outcome.SequencesPerSecond:0}"));
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"certify: commands/s={outcome.CommandsPerSecond:0}"));
        output.WriteLine($"certify: replay=AREAMALLOC_REPLAY=\"{outcome.FailingSeed ?? outcome.RunSeed}\" dotnet test properties --filter Every_command_sequence_agrees_with_the_model");
        Assert.True(outcome.Passed, outcome.FailureText);
        Assert.True(outcome.LeakedSequences == 0, $"{outcome.LeakedSequences} sequences left areas mapped after the last put_module");
    }
}
