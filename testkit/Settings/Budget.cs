using System.Globalization;

namespace AreaMalloc.TestKit.Settings;

/// <summary>
/// The one setting that sizes every property of the suite: the environment variable
/// <c>AREAMALLOC_BUDGET</c>, read once per process.
/// <list type="bullet">
/// <item><c>ci</c> (or unset): the CI budget; every property together runs in well under two minutes on two cores.</item>
/// <item><c>certification</c>: <see cref="CertificationMultiplier"/> times the CI budget, and longer command sequences.</item>
/// <item>a positive number <c>m</c>: <c>m</c> times the CI budget (fractions allowed, e.g. <c>0.5</c> for a smoke run).</item>
/// </list>
/// Anything else is an error, so that a typo never silently runs the small budget in a certification run.
/// Properties never hard-code a count: they state their CI count and ask <see cref="Scale"/> for the real one.
/// </summary>
/// <param name="Name">How the budget was asked for, for reports: <c>ci</c>, <c>certification</c> or <c>x2.5</c>.</param>
/// <param name="Multiplier">How many times the CI counts every property runs.</param>
public sealed record Budget(string Name, double Multiplier)
{
    /// <summary>The environment variable that chooses the budget.</summary>
    public const string EnvironmentVariable = "AREAMALLOC_BUDGET";

    /// <summary>How many times more sequences (and cases) the certification run checks than CI.</summary>
    public const double CertificationMultiplier = 100;

    /// <summary>Sequences of the model-based property at the CI budget.</summary>
    public const int CiModelSequences = 300;

    /// <summary>Cases of each plain (arithmetic, capacity) property at the CI budget.</summary>
    public const int CiCases = 200;

    /// <summary>The CI budget.</summary>
    public static Budget Ci { get; } = new("ci", 1);

    /// <summary>The certification budget.</summary>
    public static Budget Certification { get; } = new("certification", CertificationMultiplier);

    /// <summary>The budget of this process, from <see cref="EnvironmentVariable"/> (declared after <see cref="Ci"/>: static initializers run in order).</summary>
    public static Budget Current { get; } = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Sequences the model-based property checks.</summary>
    public int ModelSequences => Scale(CiModelSequences);

    /// <summary>
    /// The longest command sequence (FsCheck's end size): sequences grow from 1 command to this many.
    /// Longer in large budgets, where there is time for deep histories.
    /// </summary>
    public int MaxCommands => Multiplier >= 10 ? 120 : 60;

    /// <summary>Cases each plain property checks.</summary>
    public int Cases => Scale(CiCases);

    /// <summary>The count a property runs under this budget, given its count at the CI budget (at least 1).</summary>
    /// <param name="ciCount">The count at the CI budget.</param>
    /// <returns>The scaled count.</returns>
    public int Scale(int ciCount) => (int)Math.Clamp(Math.Ceiling(ciCount * Multiplier), 1, int.MaxValue);

    /// <summary>Reads a budget setting; null or empty is the CI budget.</summary>
    /// <param name="text">The value of <see cref="EnvironmentVariable"/>.</param>
    /// <returns>The budget.</returns>
    /// <exception cref="ArgumentException">The text is neither a budget name nor a positive number.</exception>
    public static Budget Parse(string? text)
    {
        string value = (text ?? "").Trim();
        if (value.Length == 0 || value.Equals("ci", StringComparison.OrdinalIgnoreCase))
        {
            return Ci;
        }

        if (value.Equals("certification", StringComparison.OrdinalIgnoreCase))
        {
            return Certification;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0 && double.IsFinite(m))
        {
            return new Budget(string.Create(CultureInfo.InvariantCulture, $"x{m}"), m);
        }

        throw new ArgumentException(
            $"{EnvironmentVariable}='{text}' is not a budget: use 'ci', 'certification' or a positive multiplier such as 10", nameof(text));
    }

    /// <summary>For reports, e.g. <c>ci (x1)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (x{Multiplier})");
}
