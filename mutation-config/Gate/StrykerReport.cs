using System.Text.Json;

namespace AreaMalloc.MutationGate;

/// <summary>
/// A Stryker run read from its <c>mutation-report.json</c> (mutation-testing-elements schema): per allocator file
/// (repository-relative) its mutants, and the run's tests with the file that declares each.
/// </summary>
/// <param name="Files">Repository-relative file to its mutants.</param>
/// <param name="Tests">The run's tests; mutants refer to them by index.</param>
internal sealed record StrykerReport(SortedDictionary<string, List<Mutant>> Files, List<TestCase> Tests)
{
    /// <summary>Reads a report; file paths are made relative to <paramref name="root"/>; tests without a file in the report get one from <paramref name="classFiles"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a Stryker JSON report.</exception>
    public static StrykerReport Read(string path, string root, IReadOnlyDictionary<string, List<string>> classFiles)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"no Stryker report at {path} (did Stryker finish? its json reporter writes reports/mutation-report.json)");
        JsonElement report;
        try
        {
            report = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        }
        catch (JsonException bad)
        {
            throw new InvalidDataException($"{path} is not JSON: {bad.Message}", bad);
        }
        if (!report.TryGetProperty("files", out JsonElement files) || files.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path} has no 'files' object: not a Stryker mutation report");
        string? projectRoot = report.TryGetProperty("projectRoot", out JsonElement pr) ? pr.GetString() : null;

        var tests = new List<TestCase>();
        var testIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        if (report.TryGetProperty("testFiles", out JsonElement testFiles) && testFiles.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty file in testFiles.EnumerateObject())
            {
                string? relative = string.IsNullOrEmpty(file.Name) ? null : Relative(file.Name, root, projectRoot);
                foreach (JsonElement test in file.Value.GetProperty("tests").EnumerateArray())
                {
                    string id = test.GetProperty("id").GetString()!;
                    string name = test.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? id : id;
                    if (testIndex.ContainsKey(id))
                        continue;
                    testIndex[id] = tests.Count;
                    tests.Add(new TestCase(name, relative is { } r && r.StartsWith("properties/", StringComparison.Ordinal) ? r : FileOf(name, classFiles)));
                }
            }
        }

        int Test(string id)
        {
            if (!testIndex.TryGetValue(id, out int index))
            {
                index = tests.Count;
                testIndex[id] = index;
                tests.Add(new TestCase(id, null));
            }
            return index;
        }

        var result = new SortedDictionary<string, List<Mutant>>(StringComparer.Ordinal);
        foreach (JsonProperty file in files.EnumerateObject())
        {
            string relative = Relative(file.Name, root, projectRoot);
            string[] source = (file.Value.TryGetProperty("source", out JsonElement s) ? s.GetString() ?? "" : "").Split('\n');
            var mutants = new List<Mutant>();
            foreach (JsonElement m in file.Value.GetProperty("mutants").EnumerateArray())
            {
                JsonElement start = m.GetProperty("location").GetProperty("start"), end = m.GetProperty("location").GetProperty("end");
                int line = start.GetProperty("line").GetInt32();
                string status = m.GetProperty("status").GetString()!;
                string id = m.GetProperty("id").ValueKind == JsonValueKind.String ? m.GetProperty("id").GetString()! : m.GetProperty("id").GetRawText();
                List<int> killed = Ids(m, "killedBy").Select(Test).ToList();
                List<int>? covered = m.TryGetProperty("coveredBy", out JsonElement c) && c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Select(t => Test(t.GetString()!)).Order().ToList()
                    : null;
                bool undetected = status is "Survived" or "NoCoverage";
                mutants.Add(new Mutant(id, m.GetProperty("mutatorName").GetString()!, m.TryGetProperty("replacement", out JsonElement r) ? r.GetString() ?? "" : "",
                    status, line, start.GetProperty("column").GetInt32(), end.GetProperty("line").GetInt32(), end.GetProperty("column").GetInt32(),
                    killed, covered, undetected && line - 1 < source.Length ? source[line - 1].Trim() : null));
            }
            result[relative] = mutants;
        }
        return new StrykerReport(result, tests);
    }

    private static IEnumerable<string> Ids(JsonElement mutant, string name) =>
        mutant.TryGetProperty(name, out JsonElement a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(t => t.GetString()!)
            : [];

    private static string? FileOf(string testName, IReadOnlyDictionary<string, List<string>> classFiles) =>
        TestClasses.ClassOf(testName) is { } cls && classFiles.TryGetValue(cls, out List<string>? files) && files.Count == 1 ? files[0] : null;

    /// <summary>A report path made repository-relative with forward slashes (absolute, or relative to the report's project root).</summary>
    public static string Relative(string path, string root, string? projectRoot)
    {
        string full = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(projectRoot ?? Path.Combine(root, "allocator"), path));
        string relative = Path.GetRelativePath(Path.GetFullPath(root), full).Replace('\\', '/');
        return relative;
    }
}
