using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AreaMalloc.MutationGate;

/// <summary>The gate's thresholds and the components' mutate globs, read from the repository's configuration.</summary>
/// <param name="BreakAt">Stryker's break threshold (stryker-config.json, thresholds.break).</param>
/// <param name="Floor">The score floor (mutation-config/gate.json, score-floor).</param>
/// <param name="MutateGlobs">Every component's mutate globs (mutation-config/*.jsonc), as regexes over allocator-relative paths.</param>
internal sealed record Settings(double BreakAt, double Floor, IReadOnlyList<Regex> MutateGlobs)
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads the settings of the repository at <paramref name="root"/>.</summary>
    /// <exception cref="InvalidDataException">A configuration file is missing or lacks its number.</exception>
    public static Settings Read(string root)
    {
        double breakAt = Number(Path.Combine(root, "stryker-config.json"), n => n["stryker-config"]?["thresholds"]?["break"]);
        double floor = Number(Path.Combine(root, "mutation-config", "gate.json"), n => n["score-floor"]);
        var globs = new List<Regex>();
        foreach (string file in Directory.GetFiles(Path.Combine(root, "mutation-config"), "*.jsonc").Order(StringComparer.Ordinal))
        {
            JsonNode part = JsonNode.Parse(File.ReadAllText(file), documentOptions: Lenient)!;
            foreach (JsonNode? glob in part["mutate"]?.AsArray() ?? [])
                globs.Add(Inputs.Glob(glob!.GetValue<string>()));
        }
        return new Settings(breakAt, floor, globs);
    }

    private static double Number(string path, Func<JsonNode, JsonNode?> select)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path} is missing");
        JsonNode? value = select(JsonNode.Parse(File.ReadAllText(path), documentOptions: Lenient)!);
        return value is JsonValue v && v.TryGetValue(out double d)
            ? d
            : throw new InvalidDataException($"{path} holds no number where the gate reads its threshold");
    }

    /// <summary>Restricts the composed Stryker configuration at <paramref name="path"/> to <paramref name="globs"/>.</summary>
    public static void RestrictMutate(string path, IReadOnlyList<string> globs)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(path), documentOptions: Lenient)!.AsObject();
        config["stryker-config"]!["mutate"] = new JsonArray(globs.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray());
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
