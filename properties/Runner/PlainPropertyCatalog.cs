using System.Diagnostics;
using System.Reflection;
using FsCheck;
using AreaMalloc.TestKit.Settings;

namespace AreaMalloc.Properties.Runner;

/// <summary>One plain property's result.</summary>
/// <param name="Name">Class and method, e.g. <c>SizeClassProperties.Class_index_is_monotonic_in_the_request</c>.</param>
/// <param name="Passed">True when every case held.</param>
/// <param name="Cases">Cases run.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Failure">FsCheck's report of a failure (with its replay seed), or null.</param>
public sealed record PlainPropertyOutcome(string Name, bool Passed, int Cases, TimeSpan Elapsed, string? Failure);

/// <summary>
/// Every <see cref="BudgetedPropertyAttribute"/> property of this assembly that returns a FsCheck
/// <see cref="Property"/>, runnable at any budget from outside xunit (the certify app runs them at the
/// certification budget without copying them).
/// </summary>
public static class PlainPropertyCatalog
{
    /// <summary>The properties, as (name, attribute, method).</summary>
    public static IReadOnlyList<(string Name, BudgetedPropertyAttribute Attribute, MethodInfo Method)> All { get; } =
        typeof(PlainPropertyCatalog).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<BudgetedPropertyAttribute>()))
            .Where(x => x.Attribute is not null && x.Method.ReturnType == typeof(Property) && x.Method.GetParameters().Length == 0)
            .Select(x => (x.Method.DeclaringType!.Name + "." + x.Method.Name, x.Attribute!, x.Method))
            .OrderBy(x => x.Item1, StringComparer.Ordinal)
            .ToList();

    /// <summary>Runs every property at <paramref name="budget"/>.</summary>
    /// <param name="budget">The budget (each property's CI count scaled by it).</param>
    /// <returns>One outcome per property.</returns>
    public static IReadOnlyList<PlainPropertyOutcome> CheckAll(Budget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var outcomes = new List<PlainPropertyOutcome>();
        foreach ((string name, BudgetedPropertyAttribute attribute, MethodInfo method) in All)
        {
            int cases = budget.Scale(attribute.CiCases);
            var property = (Property)method.Invoke(Activator.CreateInstance(method.DeclaringType!), null)!;
            var clock = Stopwatch.StartNew();
            (TestResult result, _) = CapturingRunner.Run(property, Config.Quick.WithMaxTest(cases).WithName(name));
            clock.Stop();
            outcomes.Add(new PlainPropertyOutcome(name, result.IsPassed, cases, clock.Elapsed,
                result.IsPassed ? null : FsCheck.Runner.onFinishedToString(name, result)));
        }

        return outcomes;
    }
}
