using AreaMalloc.ConcurrencyTests.Infrastructure;

namespace AreaMalloc.ConcurrencyTests.Facts;

/// <summary>Facts about the one budget setting, <c>AREAMALLOC_BUDGET</c>.</summary>
public sealed class BudgetFacts
{
    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("ci", 1)]
    [InlineData(" CI ", 1)]
    [InlineData("certification", 100)]
    [InlineData("2.5", 2.5)]
    [InlineData("0.5", 0.5)]
    public void Budget_values_name_a_multiplier_of_the_ci_budget(string? value, double multiplier) =>
        Assert.Equal(multiplier, Budget.Parse(value));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("lots")]
    [InlineData("NaN")]
    public void Anything_else_is_refused_with_a_message_naming_the_variable(string value)
    {
        FormatException refused = Assert.Throws<FormatException>(() => Budget.Parse(value));
        Assert.Contains(Budget.VariableName, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_certification_budget_is_at_least_100_times_the_ci_budget() =>
        Assert.True(Budget.Iterations(200, Budget.Parse("certification")) >= 100 * Budget.Iterations(200, 1));

    [Fact]
    public void Every_budget_runs_at_least_one_iteration() =>
        Assert.Equal(1u, Budget.Iterations(1, 0.001));
}
