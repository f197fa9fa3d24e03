using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AreaMalloc.MutationGate;

/// <summary>
/// The committed record of the last full mutation run (<c>mutation-config/baseline/baseline.json</c>): the commit and
/// date it was taken at, its score and counts (what the certificate reports), the blob id of every input file at that
/// time (<see cref="Inputs"/>), the run's tests, and per allocator file its mutants. Coverage lists are stored once
/// each (<c>coverageSets</c>) and mutants refer to them, which keeps the file small.
/// </summary>
/// <param name="Commit">The commit the full run was taken at.</param>
/// <param name="Date">When (UTC, ISO 8601).</param>
/// <param name="Hashes">Input file to its blob id at the baseline.</param>
/// <param name="Tests">The tests of the run (mutants refer to them by index).</param>
/// <param name="Files">Allocator file to its mutants.</param>
internal sealed record Baseline(string Commit, string Date, SortedDictionary<string, string> Hashes, List<TestCase> Tests, SortedDictionary<string, List<Mutant>> Files)
{
    /// <summary>The baseline's file name inside its folder (the certificate reads the first JSON file there that holds a score).</summary>
    public const string FileName = "baseline.json";

    /// <summary>Every mutant of the baseline.</summary>
    public IEnumerable<Mutant> Mutants => Files.Values.SelectMany(m => m);

    /// <summary>Writes the baseline as JSON: a summary first, then one line per hash, test, coverage set and mutant (diffs stay readable).</summary>
    public string ToJson()
    {
        var sets = new List<IReadOnlyList<int>>();
        var setIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int SetOf(IReadOnlyList<int>? covered)
        {
            if (covered is null)
                return -1;
            string key = string.Join(',', covered);
            if (!setIndex.TryGetValue(key, out int index))
            {
                index = sets.Count;
                setIndex[key] = index;
                sets.Add(covered);
            }
            return index;
        }

        static string J<T>(T value) => JsonSerializer.Serialize(value);
        var text = new StringBuilder();
        var counts = Score.Counts(Mutants);
        text.Append("{\n");
        text.Append(CultureInfo.InvariantCulture, $"  \"commit\": {J(Commit)},\n  \"date\": {J(Date)},\n");
        text.Append(CultureInfo.InvariantCulture, $"  \"score\": {Math.Round(Score.Of(Mutants), 2).ToString("0.00", CultureInfo.InvariantCulture)},\n");
        text.Append(CultureInfo.InvariantCulture, $"  \"counts\": {J(counts)},\n");
        text.Append("  \"hashes\": {\n");
        text.AppendJoin(",\n", Hashes.Select(h => $"    {J(h.Key)}: {J(h.Value)}"));
        text.Append("\n  },\n  \"tests\": [\n");
        text.AppendJoin(",\n", Tests.Select(t => $"    [{J(t.Name)}, {J(t.File)}]"));
        var files = new List<string>();
        foreach ((string file, List<Mutant> mutants) in Files)
        {
            var lines = mutants.Select(m =>
                $"      {{\"id\":{J(m.Id)},\"mutator\":{J(m.Mutator)},\"replacement\":{J(m.Replacement)},\"status\":{J(m.Status)},"
                + $"\"location\":[{m.Line},{m.Column},{m.EndLine},{m.EndColumn}],\"killedBy\":{J(m.KilledBy)},\"coveredBy\":{SetOf(m.CoveredBy)}"
                + (m.Text is null ? "" : $",\"text\":{J(m.Text)}") + "}");
            files.Add($"    {J(file)}: [\n{string.Join(",\n", lines)}\n    ]");
        }
        text.Append("\n  ],\n  \"coverageSets\": [\n");
        text.AppendJoin(",\n", sets.Select(s => "    " + J(s)));
        text.Append("\n  ],\n  \"files\": {\n");
        text.AppendJoin(",\n", files);
        text.Append("\n  }\n}\n");
        return text.ToString();
    }

    /// <summary>Reads a baseline written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a baseline; the message names <paramref name="path"/>.</exception>
    public static Baseline Parse(string path, string json)
    {
        try
        {
            JsonElement root = JsonDocument.Parse(json).RootElement;
            var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty h in root.GetProperty("hashes").EnumerateObject())
                hashes[h.Name] = h.Value.GetString()!;
            List<TestCase> tests = root.GetProperty("tests").EnumerateArray().Select(t => new TestCase(t[0].GetString()!, t[1].GetString())).ToList();
            List<int[]> sets = root.GetProperty("coverageSets").EnumerateArray().Select(s => s.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToList();
            var files = new SortedDictionary<string, List<Mutant>>(StringComparer.Ordinal);
            foreach (JsonProperty file in root.GetProperty("files").EnumerateObject())
            {
                files[file.Name] = file.Value.EnumerateArray().Select(m =>
                {
                    JsonElement l = m.GetProperty("location");
                    int set = m.GetProperty("coveredBy").GetInt32();
                    return new Mutant(m.GetProperty("id").GetString()!, m.GetProperty("mutator").GetString()!, m.GetProperty("replacement").GetString()!,
                        m.GetProperty("status").GetString()!, l[0].GetInt32(), l[1].GetInt32(), l[2].GetInt32(), l[3].GetInt32(),
                        m.GetProperty("killedBy").EnumerateArray().Select(i => i.GetInt32()).ToArray(), set < 0 ? null : sets[set],
                        m.TryGetProperty("text", out JsonElement t) ? t.GetString() : null);
                }).ToList();
            }
            return new Baseline(root.GetProperty("commit").GetString()!, root.GetProperty("date").GetString()!, hashes, tests, files);
        }
        catch (Exception bad) when (bad is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{path} is not a mutation baseline: {bad.Message}", bad);
        }
    }

    /// <summary>Reads the baseline file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">It is missing or is not a baseline.</exception>
    public static Baseline Load(string path) =>
        File.Exists(path)
            ? Parse(path, File.ReadAllText(path))
            : throw new InvalidDataException($"no mutation baseline at {path}: run `bash .ci/mutation-gate --full --refresh-baseline` to take one");
}
