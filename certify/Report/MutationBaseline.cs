using System.Globalization;
using System.Text.Json;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// The latest full mutation run, as recorded in the repository (<c>mutation-config/baseline/</c>): a small JSON file
/// with the run's <c>commit</c>, <c>date</c>, <c>score</c> (percent) and its <c>counts</c> (killed, survived, timeout,
/// no coverage, ...: an object of numbers, or numbers beside the score). A campaign without <c>--mutation</c>
/// reports this figure, saying it was not rerun.
/// </summary>
internal sealed record MutationBaseline(string Path, string? Commit, string? Date, double Score, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>The folder the baseline lives in, under the repository root.</summary>
    public static readonly string[] Folder = ["mutation-config", "baseline"];

    /// <summary>The baseline in <paramref name="folder"/>: the first JSON file there (by name) that holds a score; null when there is none.</summary>
    /// <exception cref="InvalidDataException">A baseline file is there but is not JSON with a numeric score.</exception>
    public static MutationBaseline? Find(string folder)
    {
        if (!Directory.Exists(folder))
            return null;
        foreach (string file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            if (Parse(file, File.ReadAllText(file)) is { } baseline)
                return baseline;
        }
        return null;
    }

    /// <summary>Reads one baseline file; null when it holds no <c>score</c>.</summary>
    public static MutationBaseline? Parse(string path, string json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException bad)
        {
            throw new InvalidDataException($"{path} is not JSON: {bad.Message}", bad);
        }
        if (root.ValueKind != JsonValueKind.Object || !TryNumber(root, "score", out double score))
            return null;
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        JsonElement source = root.TryGetProperty("counts", out JsonElement c) && c.ValueKind == JsonValueKind.Object ? c : root;
        foreach (JsonProperty property in source.EnumerateObject())
        {
            if (property.Name != "score" && property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out long n))
                counts[property.Name] = n;
        }
        return new MutationBaseline(path, Text(root, "commit"), Text(root, "date"), score, counts);
    }

    private static bool TryNumber(JsonElement root, string name, out double value)
    {
        value = 0;
        if (!root.TryGetProperty(name, out JsonElement e))
            return false;
        if (e.ValueKind == JsonValueKind.Number)
            return e.TryGetDouble(out value);
        return e.ValueKind == JsonValueKind.String
            && double.TryParse(e.GetString()!.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
}
