namespace AreaMalloc.Properties.Runner;

/// <summary>
/// Fail-fast mode, for mutation testing (<c>.ci/mutation-gate</c> sets <c>AREAMALLOC_FAIL_FAST=1</c>): a run that
/// only needs to know <em>whether</em> a test fails, not a readable counterexample. Nothing is checked less: the
/// budget (<see cref="Budget"/>) is the same, every sequence and case still runs until the first failure. Two things change:
/// <list type="bullet">
/// <item>the model-based property does not shrink its counterexample (shrinking replays hundreds of
/// variants of a failing sequence, seconds per killed mutant); the failure still names the sequence and its seed;</item>
/// <item>test classes run cheapest first (<see cref="CheapestFirstOrderer"/>, classes marked <see cref="ExpensiveAttribute"/>
/// last), so a mutant that a cheap fact kills is killed before the seconds-long properties start;</item>
/// <item>a test that uses far more CPU time than any correct run of it ends the process (<see cref="CpuWatchdog"/>):
/// a runaway loop is stopped after seconds of CPU, whatever the load on the machine.</item>
/// </list>
/// </summary>
public static class FailFast
{
    /// <summary>The environment variable: <c>1</c> (or <c>true</c>) turns fail-fast mode on.</summary>
    public const string EnvironmentVariable = "AREAMALLOC_FAIL_FAST";

    /// <summary>True when this process runs in fail-fast mode (read once).</summary>
    public static bool Enabled { get; } = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Reads the setting: unset, empty, <c>0</c> or <c>false</c> is off; <c>1</c> or <c>true</c> is on.</summary>
    /// <param name="text">The value of <see cref="EnvironmentVariable"/>.</param>
    /// <returns>Whether fail-fast mode is on.</returns>
    /// <exception cref="ArgumentException">Any other value (a typo must not silently change a run).</exception>
    public static bool Parse(string? text)
    {
        string value = (text ?? "").Trim();
        if (value.Length == 0 || value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new ArgumentException($"{EnvironmentVariable}='{text}' is neither 1/true nor 0/false", nameof(text));
    }
}
