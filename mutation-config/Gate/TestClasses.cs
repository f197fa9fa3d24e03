using System.Text.RegularExpressions;

namespace AreaMalloc.MutationGate;

/// <summary>
/// Which test-project file declares which class: a test's class is the second-to-last dotted part of its name
/// (before any argument list), and a class is declared where <c>class Name</c> or <c>record Name</c> appears.
/// </summary>
internal static partial class TestClasses
{
    /// <summary>The class short name of a test name (<c>Ns.SlabFacts.Frees_are_counted(x: 1)</c> gives <c>SlabFacts</c>).</summary>
    public static string? ClassOf(string testName)
    {
        int paren = testName.IndexOf('(', StringComparison.Ordinal);
        string head = paren < 0 ? testName : testName[..paren];
        string[] parts = head.Split('.');
        if (parts.Length < 2)
            return null;
        string cls = parts[^2];
        int plus = cls.LastIndexOf('+');
        return plus < 0 ? cls : cls[(plus + 1)..];
    }

    /// <summary>The class and record names declared in a source text.</summary>
    public static IReadOnlySet<string> DeclaredIn(string source) =>
        Declaration().Matches(source).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Class short name to the repository-relative files under properties/ that declare it.</summary>
    public static Dictionary<string, List<string>> Scan(string root, IEnumerable<string> files)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string file in files.Where(f => f.StartsWith("properties/", StringComparison.Ordinal) && f.EndsWith(".cs", StringComparison.Ordinal)))
        {
            string full = Path.Combine(root, file);
            if (!File.Exists(full))
                continue;
            foreach (string cls in DeclaredIn(File.ReadAllText(full)))
            {
                if (!map.TryGetValue(cls, out List<string>? list))
                    map[cls] = list = [];
                list.Add(file);
            }
        }
        return map;
    }

    [GeneratedRegex(@"\b(?:class|record|struct)\s+([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Declaration();
}
