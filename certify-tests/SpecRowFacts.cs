using System.Reflection;
using System.Text.RegularExpressions;

namespace AreaMalloc.Certify.Tests;

/// <summary>
/// Every row of the tables of docs/SEMANTICS.md has a test, and every test that says which row it checks names a row:
/// the tables whose first column is "name" are parsed, the <c>SpecRow</c> attributes (testkit's
/// <c>AreaMalloc.TestKit.Specs.SpecRowAttribute</c>) are collected by reflection from the built test assemblies, and
/// the two lists must agree.
/// </summary>
public sealed partial class SpecRowFacts
{
    private static readonly string Root = CertificateFacts.RepositoryRoot();

    /// <summary>The test assemblies whose tests carry SpecRow attributes, as built next to this one.</summary>
    private static readonly string[] TestAssemblies =
    [
        "properties/bin/{0}/net10.0/AreaMalloc.Properties.dll",
        "concurrency-tests/bin/{0}/net10.0/AreaMalloc.ConcurrencyTests.dll",
    ];

    [Fact]
    public void Every_row_of_the_semantics_tables_has_a_test_and_every_SpecRow_names_a_row()
    {
        IReadOnlySet<string> rows = Rows(File.ReadAllLines(Path.Combine(Root, "docs", "SEMANTICS.md")));
        Dictionary<string, List<string>> tested = Attributed();
        Assert.True(rows.Count >= 100, $"expected the semantics tables' rows, found {rows.Count}");
        var untested = rows.Where(r => !tested.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();
        var unknown = tested.Where(t => !rows.Contains(t.Key))
            .Select(t => $"{t.Key} (on {string.Join(", ", t.Value)})").Order(StringComparer.Ordinal).ToList();
        Assert.True(untested.Count == 0 && unknown.Count == 0,
            $"rows of docs/SEMANTICS.md without a test marked [SpecRow(\"row\")]: [{string.Join(", ", untested)}]; " +
            $"SpecRow attributes naming no row: [{string.Join(", ", unknown)}]");
    }

    [Fact]
    public void The_table_parser_takes_the_name_column_of_named_tables_only()
    {
        string[] doc =
        [
            "| name | rule |", "|---|---|", "| `a-row` | text with `code` |", "| `b-row` | more |", "",
            "| spec | meaning |", "|---|---|", "| `not-a-row` | unnamed table |",
        ];
        Assert.Equal(["a-row", "b-row"], Rows(doc).Order(StringComparer.Ordinal));
    }

    /// <summary>The first-column names of every table whose header's first cell is "name".</summary>
    internal static IReadOnlySet<string> Rows(IEnumerable<string> lines)
    {
        var rows = new HashSet<string>(StringComparer.Ordinal);
        bool named = false;
        foreach (string line in lines)
        {
            if (!line.StartsWith('|'))
            {
                named = false;
                continue;
            }

            string first = line.Split('|', StringSplitOptions.TrimEntries)[1];
            if (first == "name")
                named = true;
            else if (named && NameCell().Match(first) is { Success: true } m)
                rows.Add(m.Groups[1].Value);
        }

        return rows;
    }

    /// <summary>Row name to the tests (Class.Method) that carry a SpecRow attribute naming it.</summary>
    private static Dictionary<string, List<string>> Attributed()
    {
        string configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var tested = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string relative in TestAssemblies)
        {
            string path = Path.Combine(Root, string.Format(System.Globalization.CultureInfo.InvariantCulture, relative, configuration));
            Assert.True(File.Exists(path), $"{path} is not built: build the solution ({configuration}) first");
            foreach (Type type in LoadableTypes(Assembly.LoadFrom(path)))
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    foreach (CustomAttributeData a in method.GetCustomAttributesData())
                    {
                        if (a.AttributeType.FullName == "AreaMalloc.TestKit.Specs.SpecRowAttribute" && a.ConstructorArguments[0].Value is string row)
                            (tested.TryGetValue(row, out List<string>? list) ? list : tested[row] = []).Add($"{type.Name}.{method.Name}");
                    }
                }
            }
        }

        return tested;
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    [GeneratedRegex("^`([A-Za-z0-9_.-]+)`$")]
    private static partial Regex NameCell();
}
