using System.Globalization;
using System.Reflection;
using AreaMalloc.Pool;

namespace AreaMalloc.Properties.Runner;

/// <summary>
/// What Stryker.NET's run looks like from inside the test process. Stryker compiles every mutant into one copy of the
/// allocator assembly, together with a static class <c>MutantControl</c> (in a namespace of its own choosing) that
/// switches the mutants on and, during the coverage run, records which mutants each test reaches. The
/// <see cref="CpuWatchdog"/> reads it: a test run while coverage is recorded is many times slower than a correct
/// run (every mutated expression goes through a lock and a list), so it must not be taken for a runaway loop; and a
/// kill message names the mutant that was active. Outside Stryker (an unmutated allocator) every answer is "no".
/// </summary>
public static class MutationProbe
{
    /// <summary>The variable whose value is the name of the variable holding the active mutant's id (Stryker's VSTest runner).</summary>
    public const string ControlVariable = "STRYKER_MUTANT_ID_CONTROL_VAR";

    private static readonly Type? Control = FindControl();
    private static readonly FieldInfo? CaptureCoverageField = Control?.GetField("CaptureCoverage", BindingFlags.Public | BindingFlags.Static);
    private static readonly FieldInfo? ActiveMutantField = Control?.GetField("ActiveMutant", BindingFlags.Public | BindingFlags.Static);

    /// <summary>True when the allocator under test is a Stryker build (it carries a <c>MutantControl</c> class).</summary>
    public static bool IsMutatedBuild => CaptureCoverageField is not null;

    /// <summary>True while Stryker records coverage (its first run over every test, with no mutant active).</summary>
    public static bool CapturingCoverage => CaptureCoverageField?.GetValue(null) is true;

    /// <summary>The id of the mutant this process runs with, for messages: <c>none</c> outside a mutant run.</summary>
    public static string ActiveMutant
    {
        get
        {
            // MutantControl.ActiveMutant holds the id once mutated code has asked for it (-2: not yet read, -1: none).
            if (ActiveMutantField?.GetValue(null) is int id0 and >= 0)
                return id0.ToString(CultureInfo.InvariantCulture);
            string? name = Environment.GetEnvironmentVariable(ControlVariable);
            string? id = string.IsNullOrEmpty(name) ? null : Environment.GetEnvironmentVariable(name);
            return string.IsNullOrEmpty(id) ? "none" : id;
        }
    }

    /// <summary>The watchdog's note on the run, for its kill message: the active mutant, or that this is no mutated build.</summary>
    public static string Describe() => IsMutatedBuild
        ? string.Create(CultureInfo.InvariantCulture, $"Stryker mutant {ActiveMutant}")
        : "unmutated allocator";

    private static Type? FindControl()
    {
        Type[] types;
        try
        {
            types = typeof(PoolAllocator).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            types = partial.Types.OfType<Type>().ToArray();
        }

        return types.FirstOrDefault(t => t.Name == "MutantControl" && t.IsAbstract && t.IsSealed);
    }
}
