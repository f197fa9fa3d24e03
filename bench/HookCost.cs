using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AreaMalloc.Bench;

/// <summary>
/// The cost of the Interleaving.At scheduling points: bench/hook-cost.sh runs workload 1 on the pool twice, once
/// built with the calls compiled out (-p:AreaMallocNoInterleaving=true, summary in artifacts/bench/hook-off/) and
/// once as shipped (artifacts/bench/hook-on/); whichever run finishes second writes artifacts/bench/hook-cost.json
/// with the ratios (time with the hook / time without).
/// </summary>
internal static class HookCost
{
    public static void Compare(string benchRoot)
    {
        string on = Path.Combine(benchRoot, "hook-on", "summary.json"), off = Path.Combine(benchRoot, "hook-off", "summary.json");
        if (!File.Exists(on) || !File.Exists(off))
            return;
        JsonNode? a = JsonNode.Parse(File.ReadAllText(on)), b = JsonNode.Parse(File.ReadAllText(off));
        if (a?["interleavingHook"]?.GetValue<string>() != "compiled in" || b?["interleavingHook"]?.GetValue<string>() != "compiled out")
            return;
        var cases = new JsonArray();
        var lines = new List<string>();
        foreach (JsonNode? c in a["workloads"]!.AsArray().First(w => w!["id"]!.GetValue<string>() == "W1")!["cases"]!.AsArray())
        {
            string name = c!["case"]!.GetValue<string>();
            JsonNode? other = b["workloads"]!.AsArray().First(w => w!["id"]!.GetValue<string>() == "W1")!["cases"]!.AsArray()
                .FirstOrDefault(x => x!["case"]!.GetValue<string>() == name);
            foreach (string who in new[] { "pool", "poolModule" })
            {
                if (c["figures"]?[who] is JsonValue v1 && v1.TryGetValue(out double withHook)
                    && other?["figures"]?[who] is JsonValue v2 && v2.TryGetValue(out double without) && without > 0)
                {
                    double ratio = Math.Round(withHook / without, 3);
                    cases.Add(new JsonObject { ["case"] = name, ["surface"] = who, ["ns with hook"] = withHook, ["ns without"] = without, ["ratio"] = ratio });
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"| W1 {name} | {who} | {withHook:0.0} ns | {without:0.0} ns | {ratio:0.00}x |"));
                }
            }
        }
        var doc = new JsonObject
        {
            ["what"] = "W1 malloc/free pairs on the pool: built with the Interleaving.At calls (as shipped) against built without them",
            ["hook-on run"] = a["date"]?.GetValue<string>(),
            ["hook-off run"] = b["date"]?.GetValue<string>(),
            ["cases"] = cases,
        };
        File.WriteAllText(Path.Combine(benchRoot, "hook-cost.json"), doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine("| Case | Surface | With hook | Without | Ratio |\n|---|---|---|---|---|\n" + string.Join("\n", lines));
        Console.WriteLine($"hook cost: {Path.Combine(benchRoot, "hook-cost.json")}");
    }
}
