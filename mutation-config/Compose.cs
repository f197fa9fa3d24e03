#:property PublishAot=false
// Composes the effective Stryker configuration from the root stryker-config.json (the gate: thresholds,
// reporters, projects) and one file per allocator component in this folder (what is mutated and what is
// ignored there, with the reasons as comments). Usage, from the repository root:
//   dotnet run mutation-config/Compose.cs -- <output.json> [component ...]
// With component names (areas, hardening, large-blocks, slabs, pool, module) only those components are mutated.
using System.Text.Json;
using System.Text.Json.Nodes;

var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
string root = Directory.GetCurrentDirectory();
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: dotnet run mutation-config/Compose.cs -- <output.json> [component ...]");
    return 2;
}
string output = Path.GetFullPath(args[0]);
var only = new HashSet<string>(args.Skip(1), StringComparer.Ordinal);

JsonObject gate = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "stryker-config.json")), documentOptions: options)!.AsObject();
JsonObject config = gate["stryker-config"]!.AsObject();
var mutate = new JsonArray();
var ignoreMethods = new SortedSet<string>(StringComparer.Ordinal);
var ignoreMutations = new SortedSet<string>(StringComparer.Ordinal);
var components = Directory.GetFiles(Path.Combine(root, "mutation-config"), "*.jsonc").OrderBy(f => f, StringComparer.Ordinal).ToList();
foreach (string file in components)
{
    JsonObject part = JsonNode.Parse(File.ReadAllText(file), documentOptions: options)!.AsObject();
    string name = part["component"]!.GetValue<string>();
    if (only.Count > 0 && !only.Contains(name))
        continue;
    foreach (JsonNode? glob in part["mutate"]!.AsArray())
        mutate.Add((JsonNode)JsonValue.Create(glob!.GetValue<string>())!);
    foreach (JsonNode? method in part["ignore-methods"]?.AsArray() ?? [])
        ignoreMethods.Add(method!.GetValue<string>());
    foreach (JsonNode? mutation in part["ignore-mutations"]?.AsArray() ?? [])
        ignoreMutations.Add(mutation!.GetValue<string>());
    Console.WriteLine($"component {name}: {part["mutate"]!.AsArray().Count} globs from {Path.GetFileName(file)}");
}
if (mutate.Count == 0)
{
    Console.Error.WriteLine($"no component matched: {string.Join(", ", only)}");
    return 2;
}
config["mutate"] = mutate;
config["ignore-methods"] = new JsonArray(ignoreMethods.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray());
config["ignore-mutations"] = new JsonArray(ignoreMutations.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray());
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
File.WriteAllText(output, gate.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"wrote {output}");
return 0;
