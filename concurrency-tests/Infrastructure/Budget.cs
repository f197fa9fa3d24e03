using Setting = AreaMalloc.TestKit.Settings.Budget;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>
/// The one setting that sizes every scenario: the environment variable <c>AREAMALLOC_BUDGET</c>, read and parsed by
/// the same code as the properties' budget (the test kit's <c>Settings/Budget.cs</c>), so
/// that one value always means the same multiplier in both test projects:
/// <list type="bullet">
/// <item><c>ci</c> (the default, also when unset or empty): each scenario's CI iterations; the whole suite runs in well under a minute.</item>
/// <item><c>certification</c>: <see cref="CertificationMultiplier"/> times the CI iterations.</item>
/// <item>a positive number, for example <c>3</c> or <c>0.5</c>: that multiple of the CI iterations.</item>
/// </list>
/// Scenarios that expect Coyote to find a bug use the budget as the bound within which it must be found.
/// </summary>
public static class Budget
{
    /// <summary>The environment variable read by <see cref="Current"/>.</summary>
    public const string VariableName = Setting.EnvironmentVariable;

    /// <summary>How many times the CI budget the certification budget is.</summary>
    public const double CertificationMultiplier = Setting.CertificationMultiplier;

    /// <summary>The multiplier of the CI iterations that the environment asks for (1 for CI).</summary>
    public static double Current => Setting.Current.Multiplier;

    /// <summary>A readable name of <see cref="Current"/>: <c>ci</c>, <c>certification</c> or <c>x2.5</c>.</summary>
    public static string Name => Setting.Current.Name;

    /// <summary>The iterations a scenario whose CI budget is <paramref name="ciIterations"/> runs under <paramref name="multiplier"/> (at least 1).</summary>
    public static uint Iterations(uint ciIterations, double multiplier) =>
        (uint)Math.Clamp(Math.Ceiling(ciIterations * multiplier), 1, uint.MaxValue);

    /// <summary>The iterations a scenario whose CI budget is <paramref name="ciIterations"/> runs under the current budget.</summary>
    public static uint Iterations(uint ciIterations) => Iterations(ciIterations, Current);

    /// <summary>The multiplier that <paramref name="value"/> (a value of <c>AREAMALLOC_BUDGET</c>) names.</summary>
    /// <exception cref="FormatException">The value is none of <c>ci</c>, <c>certification</c> or a positive number; the message names the variable.</exception>
    public static double Parse(string? value)
    {
        try
        {
            return Setting.Parse(value).Multiplier;
        }
        catch (ArgumentException refused)
        {
            throw new FormatException(refused.Message, refused);
        }
    }
}
