using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AreaMalloc.Format;

namespace AreaMalloc.Bench;

/// <summary>
/// The cost of the Interleaving.At scheduling points: bench/hook-cost.sh runs workload 1 on the pool built with the
/// calls compiled out (-p:AreaMallocNoInterleaving=true, summaries in artifacts/bench/hook-off-N/) and as shipped
/// (artifacts/bench/hook-on-N/), alternately; every such run rewrites artifacts/bench/hook-cost.json from all the
/// summaries present: per case, the ratio of the best time with the hook to the best time without.
/// </summary>
internal static class HookCost
{
    public static void Compare(string benchRoot)
    {
        // Each variant may have run more than once (hook-off-1, hook-on-1, hook-off-2, ...): keep the minimum per case.
        Dictionary<string, double> on = Collect(benchRoot, "hook-on", "compiled in"), off = Collect(benchRoot, "hook-off", "compiled out");
        if (on.Count == 0 || off.Count == 0)
            return;
        var cases = new JsonArray();
        var lines = new List<string>();
        foreach ((string key, double withHook) in on)
        {
            if (!off.TryGetValue(key, out double without) || without <= 0)
                continue;
            double ratio = Math.Round(withHook / without, 3);
            string[] parts = key.Split('|');
            cases.Add(new JsonObject { ["case"] = parts[0], ["surface"] = parts[1], ["ns with hook"] = withHook, ["ns without"] = without, ["ratio"] = ratio });
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"| W1 {parts[0]} | {parts[1]} | {withHook:0.0} ns | {without:0.0} ns | {ratio:0.00}x |"));
        }
        var doc = new JsonObject
        {
            ["what"] = "W1 malloc/free pairs on the pool: built with the Interleaving.At calls (as shipped) against built without them",
            ["statistic"] = "per case, the minimum over the runs of each variant of the minimum iteration mean",
            ["date"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture),
            ["cases"] = cases,
        };
        File.WriteAllText(Path.Combine(benchRoot, "hook-cost.json"), doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine("| Case | Surface | With hook | Without | Ratio |\n|---|---|---|---|---|\n" + string.Join("\n", lines));
        Console.WriteLine($"hook cost: {Path.Combine(benchRoot, "hook-cost.json")}");
    }

    private static Dictionary<string, double> Collect(string benchRoot, string prefix, string build)
    {
        var best = new Dictionary<string, double>();
        foreach (string dir in Directory.GetDirectories(benchRoot, prefix + "*"))
        {
            string file = Path.Combine(dir, "summary.json");
            if (!File.Exists(file) || JsonNode.Parse(File.ReadAllText(file)) is not JsonNode doc || doc["interleavingHook"]?.GetValue<string>() != build)
                continue;
            JsonNode? w1 = doc["workloads"]!.AsArray().FirstOrDefault(w => w!["id"]!.GetValue<string>() == "W1");
            foreach (JsonNode? c in w1?["cases"]?.AsArray() ?? [])
                foreach (string who in new[] { "pool", "poolModule" })
                    if (c!["figures"]?[who] is JsonValue v && v.TryGetValue(out double ns))
                    {
                        string key = c["case"]!.GetValue<string>() + "|" + who;
                        best[key] = best.TryGetValue(key, out double old) ? Math.Min(old, ns) : ns;
                    }
        }
        return best;
    }
}
