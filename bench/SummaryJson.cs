using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Reports;
using AreaMalloc.Format;

namespace AreaMalloc.Bench;

/// <summary>
/// Writes artifacts/bench/summary.json (and summary.md, the same ratios as a table) from BenchmarkDotNet's
/// in-process <see cref="Summary"/> objects: per workload, the pool's figure, each peer's figure (or why it was
/// skipped), the ratios pool/peer, the target and whether it was met. Ratios come from one run.
/// </summary>
internal static class SummaryJson
{
    private sealed class Results
    {
        private readonly Dictionary<string, double> _means = new();
        public Results(IEnumerable<Summary> summaries, bool useMin)
        {
            foreach (Summary s in summaries)
                foreach (BenchmarkReport r in s.Reports)
                {
                    if (r.ResultStatistics is null)
                        continue;
                    string param = string.Join(",", r.BenchmarkCase.Parameters.Items.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
                    _means[Key(r.BenchmarkCase.Descriptor.Type.Name, r.BenchmarkCase.Descriptor.WorkloadMethod.Name, param)] = useMin ? r.ResultStatistics.Min : r.ResultStatistics.Median;
                }
        }

        private static string Key(string type, string method, string param) => $"{type}.{method}({param})";

        /// <summary>Nanoseconds per operation: the minimum or the median of the iteration means, or null when the benchmark did not run.</summary>
        public double? Ns(string type, string method, string param = "") =>
            _means.TryGetValue(Key(type, method, param), out double v) ? v : null;
    }

    private static string SkipReason(string method) => method switch
    {
        _ when method.StartsWith("Mimalloc", StringComparison.Ordinal) && !NativePeers.HasMimalloc => NativePeers.MimallocStatus,
        _ when method.StartsWith("Jemalloc", StringComparison.Ordinal) && !NativePeers.HasJemalloc => NativePeers.JemallocStatus,
        _ when method.StartsWith("GlibcDirect", StringComparison.Ordinal) && !NativePeers.HasGlibcDirect => NativePeers.GlibcDirectStatus,
        _ => "not run (filtered out or failed)",
    };

    private static JsonNode Figure(double? value, string method) =>
        value is double v ? JsonValue.Create(Math.Round(v, 3)) : JsonValue.Create(SkipReason(method));

    private static JsonNode? Ratio(double? a, double? b) =>
        a is double x && b is double y && y > 0 ? JsonValue.Create(Math.Round(x / y, 3)) : null;

    /// <summary>
    /// A thread-scaling workload (<paramref name="type"/>): per allocator the 1- and 2-thread throughput and their
    /// ratio; the table rows give the pool's scaling (with and without magazines) and its 2-thread throughput against
    /// each peer's. With a <paramref name="mdTarget"/> other than "report", a scaling of 1.0 or more is met.
    /// </summary>
    private static void AddScaling(Results r, JsonArray workloads, StringBuilder md, string type, string id, string title, string target, string mdTarget)
    {
        var figures = new JsonObject();
        var ratios = new JsonObject();
        double? poolScaling = null, cachedScaling = null;
        foreach ((string label, string method) in new[] { ("pool", "Pool"), ("poolCached", "PoolCached"), ("glibc", "Glibc"), ("mimalloc", "Mimalloc"), ("jemalloc", "Jemalloc") })
        {
            double? t1 = r.Ns(type, method, "1"), t2 = r.Ns(type, method, "2");
            figures[label] = t1 is double && t2 is double
                ? new JsonObject { ["1 thread Mops/s"] = Math.Round(1000 / t1.Value, 2), ["2 threads Mops/s"] = Math.Round(1000 / t2.Value, 2), ["scaling 2T/1T"] = Math.Round(t1.Value / t2.Value, 3) }
                : JsonValue.Create(SkipReason(method));
            if (label == "pool" && t1 is double a && t2 is double b)
                poolScaling = a / b;
            if (label == "poolCached" && t1 is double ca && t2 is double cb)
                cachedScaling = ca / cb;
            if (label is not "pool" and not "poolCached")
            {
                ratios[$"pool/{label} throughput, 2 threads"] = Ratio(r.Ns(type, method, "2"), r.Ns(type, "Pool", "2"));
                ratios[$"poolCached/{label} throughput, 2 threads"] = Ratio(r.Ns(type, method, "2"), r.Ns(type, "PoolCached", "2"));
            }
        }
        bool judged = mdTarget != "report";
        workloads.Add(new JsonObject
        {
            ["id"] = id,
            ["title"] = title,
            ["target"] = target,
            ["met"] = judged && poolScaling is double ps ? JsonValue.Create(ps >= 1.0) : null,
            ["stretchMet"] = judged && poolScaling is double ps2 ? JsonValue.Create(ps2 >= 1.6) : null,
            ["cachedMet"] = judged && cachedScaling is double cs ? JsonValue.Create(cs >= 1.0) : null,
            ["cachedStretchMet"] = judged && cachedScaling is double cs2 ? JsonValue.Create(cs2 >= 1.6) : null,
            ["scaling"] = new JsonObject { ["pool"] = Rounded(poolScaling), ["poolCached"] = Rounded(cachedScaling) },
            ["figures"] = figures,
            ["ratios"] = ratios,
        });
        foreach ((string label, string method, double? scaling) in new[] { (", thread magazines", "PoolCached", cachedScaling), ("", "Pool", poolScaling) })
        {
            double? pool2 = r.Ns(type, method, "2");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {id} | 2 threads / 1 thread{label} | scaling {Fmt(scaling)} | pool/glibc thr. {Fmt(Div(r.Ns(type, "Glibc", "2"), pool2))} | | {Fmt(Div(r.Ns(type, "Mimalloc", "2"), pool2))} | {Fmt(Div(r.Ns(type, "Jemalloc", "2"), pool2))} | {mdTarget} | {(judged ? Met(scaling is double m ? m >= 1.0 : null) : "")} |");
        }
    }

    /// <summary>W8's target: the pool's high-water mark of used heap bytes at most this many times the peak of live bytes requested, on both traces.</summary>
    private const double FootprintTarget = 1.10;

    private static JsonNode? Rounded(double? value) => value is double v ? JsonValue.Create(Math.Round(v, 3)) : null;

    private static readonly (string Label, string Method)[] Peers =
        [("glibc", "Glibc"), ("glibcDirect", "GlibcDirect"), ("mimalloc", "Mimalloc"), ("jemalloc", "Jemalloc")];

    /// <summary>
    /// Writes summary.json and summary.md from the minimum of each benchmark's iteration means (on this shared,
    /// noisy machine other jobs only ever add time, so the least disturbed iteration is the best estimate of an
    /// allocator's own cost; every allocator is treated alike), and summary-median.json/.md from the medians.
    /// </summary>
    public static void Write(string folder, bool quick, DateTimeOffset started, Summary[] summaries, List<Footprint.Result> footprints)
    {
        Write(folder, quick, started, summaries, footprints, useMin: false);
        Write(folder, quick, started, summaries, footprints, useMin: true);
    }

    private static void Write(string folder, bool quick, DateTimeOffset started, Summary[] summaries, List<Footprint.Result> footprints, bool useMin)
    {
        var r = new Results(summaries, useMin);
        string suffix = useMin ? "" : "-median";
        var md = new StringBuilder();
        md.AppendLine("| Workload | Case | Pool | Ratio pool/glibc | pool / floor | pool/mimalloc | pool/jemalloc | Target | Met |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        // W1's floor: glibc's pair plus one locked instruction (M0's compare-exchange with a store back), both of this run.
        double? lockedInstruction = M0(r, "LockedCompareExchange");

        var workloads = new JsonArray();

        // W1-W4: time per operation; W1 also through the Be module surface.
        foreach ((string id, string type, string title, string unit, string[] cases, double? target, double? stretch) in new (string, string, string, string, string[], double?, double?)[]
        {
            ("W1", "W1_LifoPairs", "LIFO malloc/free pairs", "ns per pair", ["16", "64", "256", "1024"], 1.0, 0.7),
            ("W2", "W2_Batch", "Batch: 10,000 mixed small blocks, freed in random order", "ns per operation", [""], 1.0, 0.7),
            ("W3", "W3_Mixed", "Mixed sizes 16 B - 64 KiB (Pareto) with realloc", "ns per operation", [""], 1.0, null),
            ("W4", "W4_Large", "Large blocks 64 KiB - 1 MiB", "ns per operation", [""], null, null),
        })
        {
            var caseArray = new JsonArray();
            bool? allMet = null;
            foreach (string c in cases)
            {
                double? pool = r.Ns(type, "Pool", c), module = r.Ns(type, "PoolModule", c), glibc = r.Ns(type, "Glibc", c);
                double? cached = r.Ns(type, "PoolCached", c);
                var figures = new JsonObject { ["pool"] = Figure(pool, "Pool") };
                if (id != "W4")
                    figures["poolCached"] = Figure(cached, "PoolCached");
                double? floor = id == "W1" && glibc is double gf && lockedInstruction is double li ? gf + li : null;
                if (id == "W1")
                {
                    figures["poolModule"] = Figure(module, "PoolModule");
                    figures["floor"] = floor is double fl ? JsonValue.Create(Math.Round(fl, 3)) : JsonValue.Create("not run: needs Glibc and M0 LockedCompareExchange");
                }
                var ratios = new JsonObject();
                if (id == "W1")
                {
                    ratios["pool/floor"] = Ratio(pool, floor);
                    ratios["poolCached/floor"] = Ratio(cached, floor);
                    ratios["poolModule/floor"] = Ratio(module, floor);
                }
                foreach ((string label, string method) in Peers)
                {
                    if (id == "W4" && method == "GlibcDirect")
                        continue;
                    double? peer = r.Ns(type, method, c);
                    figures[label] = Figure(peer, method);
                    ratios[$"pool/{label}"] = Ratio(pool, peer);
                    if (id != "W4")
                        ratios[$"poolCached/{label}"] = Ratio(cached, peer);
                    if (id == "W1")
                        ratios[$"poolModule/{label}"] = Ratio(module, peer);
                }
                bool? met = target is double t && pool is double p && glibc is double g ? p / g <= t : null;
                bool? stretchMet = stretch is double st && pool is double p2 && glibc is double g2 ? p2 / g2 <= st : null;
                bool? cachedMet = target is double tc && cached is double pc && glibc is double gc ? pc / gc <= tc : null;
                bool? cachedStretchMet = stretch is double sc && cached is double pc2 && glibc is double gc2 ? pc2 / gc2 <= sc : null;
                if (met is bool m)
                    allMet = (allMet ?? true) && m;
                caseArray.Add(new JsonObject
                {
                    ["case"] = c.Length == 0 ? "trace" : $"{c} B",
                    ["unit"] = unit,
                    ["figures"] = figures,
                    ["ratios"] = ratios,
                    ["met"] = met is bool mm ? JsonValue.Create(mm) : null,
                    ["stretchMet"] = stretchMet is bool sm ? JsonValue.Create(sm) : null,
                    ["cachedMet"] = cachedMet is bool cm ? JsonValue.Create(cm) : null,
                    ["cachedStretchMet"] = cachedStretchMet is bool csm ? JsonValue.Create(csm) : null,
                });
                AppendRow(md, id, c.Length == 0 ? "trace" : $"{c} B", pool, glibc, r.Ns(type, "Mimalloc", c), r.Ns(type, "Jemalloc", c),
                    target is double tt ? $"<= {tt:0.0#} glibc" + (stretch is double s2 ? $" (stretch {s2:0.0#})" : "") : "report", met, floor);
                if (id != "W4")
                    AppendRow(md, id, (c.Length == 0 ? "trace" : $"{c} B") + ", thread magazines", cached, glibc, r.Ns(type, "Mimalloc", c), r.Ns(type, "Jemalloc", c),
                        target is double tm ? $"<= {tm:0.0#} glibc" + (stretch is double sm2 ? $" (stretch {sm2:0.0#})" : "") : "report", cachedMet, floor);
                if (id == "W1")
                    AppendRow(md, id, $"{c} B, Be module", module, glibc, r.Ns(type, "Mimalloc", c), r.Ns(type, "Jemalloc", c), "(informational)", null, floor);
            }
            workloads.Add(new JsonObject
            {
                ["id"] = id,
                ["title"] = title,
                ["target"] = target is double t2 ? $"pool/glibc <= {t2.ToString(CultureInfo.InvariantCulture)}" + (stretch is double s ? $" (stretch {s.ToString(CultureInfo.InvariantCulture)})" : "") : "none (reported)",
                ["met"] = allMet is bool am ? JsonValue.Create(am) : null,
                ["cases"] = caseArray,
            });
        }

        // W5: throughput per thread count; scaling = 2-thread throughput / 1-thread throughput.
        AddScaling(r, workloads, md, "W5_Threads", "W5", "Two threads on one pool, cross-thread frees (throughput per thread count)",
            "pool 2-thread throughput >= 1.0x its 1-thread throughput (stretch 1.6x)", "scaling >= 1.0 (stretch 1.6)");
        AddScaling(r, workloads, md, "W5_PrivatePairs", "W5p", "Two threads on one pool, each on its own blocks (throughput per thread count)",
            "none (reported)", "report");

        // W6: calloc, fresh and reused.
        {
            var figures = new JsonObject();
            foreach (string m in new[] { "PoolFresh", "PoolReused", "GlibcFresh", "GlibcReused", "MimallocFresh", "MimallocReused", "JemallocReused" })
                figures[m] = Figure(r.Ns("W6_Calloc", m), m);
            double? pf = r.Ns("W6_Calloc", "PoolFresh"), pr = r.Ns("W6_Calloc", "PoolReused");
            workloads.Add(new JsonObject
            {
                ["id"] = "W6",
                ["title"] = "calloc of fresh memory against calloc of reused memory (256 x 16 KiB)",
                ["unit"] = "ns per calloc",
                ["target"] = "none (reported)",
                ["figures"] = figures,
                ["ratios"] = new JsonObject
                {
                    ["pool fresh/reused"] = Ratio(pf, pr),
                    ["pool/glibc fresh"] = Ratio(pf, r.Ns("W6_Calloc", "GlibcFresh")),
                    ["pool/glibc reused"] = Ratio(pr, r.Ns("W6_Calloc", "GlibcReused")),
                    ["pool/mimalloc fresh"] = Ratio(pf, r.Ns("W6_Calloc", "MimallocFresh")),
                    ["pool/mimalloc reused"] = Ratio(pr, r.Ns("W6_Calloc", "MimallocReused")),
                    ["pool/jemalloc reused"] = Ratio(pr, r.Ns("W6_Calloc", "JemallocReused")),
                },
            });
            AppendRow(md, "W6", "calloc fresh", pf, r.Ns("W6_Calloc", "GlibcFresh"), r.Ns("W6_Calloc", "MimallocFresh"), null, "report", null);
            AppendRow(md, "W6", "calloc reused", pr, r.Ns("W6_Calloc", "GlibcReused"), r.Ns("W6_Calloc", "MimallocReused"), r.Ns("W6_Calloc", "JemallocReused"), "report", null);
        }

        // W7: delete_pool against freeing one by one and mi_heap_destroy.
        {
            var figures = new JsonObject();
            foreach (string n in new[] { "1000", "1000000" })
            {
                var o = new JsonObject();
                foreach (string meth in new[] { "PoolDelete", "PoolDeleteOneBlock", "PoolFreeEach", "GlibcFreeEach", "JemallocFreeEach", "MimallocFreeEach", "MimallocDestroy" })
                    o[meth + " (us)"] = r.Ns("W7_DeletePool", meth, n) is double v ? JsonValue.Create(Math.Round(v / 1000, 2)) : JsonValue.Create(SkipReason(meth));
                figures[$"{n} live blocks"] = o;
            }
            double? d1m = r.Ns("W7_DeletePool", "PoolDelete", "1000000"), one1m = r.Ns("W7_DeletePool", "PoolDeleteOneBlock", "1000000"), d1k = r.Ns("W7_DeletePool", "PoolDelete", "1000");
            double? perBlocks = Div(d1m, one1m);
            bool? met = perBlocks is double pb ? pb <= 1.25 : null;
            workloads.Add(new JsonObject
            {
                ["id"] = "W7",
                ["title"] = "delete_pool of a pool holding 1,000,000 live blocks against freeing them one by one and mi_heap_destroy",
                ["target"] = "constant in the number of live blocks: delete_pool(1M blocks) / delete_pool(1 block over the same touched bytes) <= 1.25",
                ["met"] = met is bool m ? JsonValue.Create(m) : null,
                ["figures"] = figures,
                ["ratios"] = new JsonObject
                {
                    ["delete(1M blocks)/delete(1 block, same bytes)"] = Ratio(d1m, one1m),
                    ["delete(1M blocks)/delete(1k blocks)"] = Ratio(d1m, d1k),
                    ["delete/pool free-each, 1M"] = Ratio(d1m, r.Ns("W7_DeletePool", "PoolFreeEach", "1000000")),
                    ["delete/glibc free-each, 1M"] = Ratio(d1m, r.Ns("W7_DeletePool", "GlibcFreeEach", "1000000")),
                    ["delete/mi_heap_destroy, 1M"] = Ratio(d1m, r.Ns("W7_DeletePool", "MimallocDestroy", "1000000")),
                },
            });
            md.AppendLine(CultureInfo.InvariantCulture, $"| W7 | delete_pool, 1M blocks | {Us(d1m)} | vs glibc free-each {Fmt(Div(d1m, r.Ns("W7_DeletePool", "GlibcFreeEach", "1000000")))} | | vs mi_heap_destroy {Fmt(Div(d1m, r.Ns("W7_DeletePool", "MimallocDestroy", "1000000")))} | vs jemalloc free-each {Fmt(Div(d1m, r.Ns("W7_DeletePool", "JemallocFreeEach", "1000000")))} | 1M blocks / 1 block same bytes {Fmt(perBlocks)} <= 1.25 | {Met(met)} |");
        }

        // W8: footprint from trace replays.
        {
            var traces = new JsonArray();
            bool? met = null;
            foreach (Footprint.Result f in footprints)
            {
                var figs = new JsonObject();
                var ratios = new JsonObject();
                foreach ((string k, object v) in f.Figures)
                {
                    figs[k] = v is double d ? JsonValue.Create(d) : JsonValue.Create((string)v);
                    if (k != "pool" && v is double peer && f.Figures["pool"] is double pool)
                        ratios[$"pool/{k}"] = Math.Round(pool / peer, 3);
                }
                if (f.Figures["pool"] is double pm)
                    met = (met ?? true) && pm <= FootprintTarget;
                traces.Add(new JsonObject
                {
                    ["trace"] = f.Trace,
                    ["peakLiveRequestedBytes"] = f.PeakLiveRequested,
                    ["figures"] = figs,
                    ["ratios"] = ratios,
                    ["how"] = JsonSerializer.SerializeToNode(f.Notes),
                });
                string Cell(string k) => f.Figures.TryGetValue(k, out object? v) && v is double d ? d.ToString("0.00", CultureInfo.InvariantCulture) : "skipped";
                md.AppendLine(CultureInfo.InvariantCulture, $"| W8 | footprint, {f.Trace} trace | {Cell("pool")} | glibc {Cell("glibc")} | | mimalloc {Cell("mimalloc")} | jemalloc {Cell("jemalloc")} | pool <= {FootprintTarget:0.00} | {Met(f.Figures["pool"] is double pt ? pt <= FootprintTarget : null)} |");
            }
            workloads.Add(new JsonObject
            {
                ["id"] = "W8",
                ["title"] = "Footprint: high-water mark of used bytes / peak live bytes requested (lower is better), traces of W2 and W3",
                ["target"] = $"pool <= {FootprintTarget.ToString(CultureInfo.InvariantCulture)} on the batch and the mixed trace",
                ["met"] = met is bool m ? JsonValue.Create(m) : null,
                ["traces"] = traces,
            });
        }

        var doc = new JsonObject
        {
            ["date"] = started.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture),
            ["mode"] = quick ? "quick" : "full",
            ["statistic"] = useMin ? "minimum of the iteration means (summary-median.json has the medians)" : "median of the iteration means",
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["cpu"] = CpuName(),
                ["os"] = RuntimeInformation.OSDescription,
                ["runtime"] = RuntimeInformation.FrameworkDescription,
                ["note"] = "shared 2-core machine, other jobs running: ratios from one run, absolute times are not meaningful",
                ["primitives"] = Primitives(r),
            },
            ["interleavingHook"] = AreaMalloc.Format.Interleaving.CompiledIn ? "compiled in" : "compiled out",
            ["peers"] = new JsonObject
            {
                ["glibc"] = "NativeMemory.Alloc/Free (glibcDirect: " + NativePeers.GlibcDirectStatus + ")",
                ["mimalloc"] = NativePeers.MimallocStatus,
                ["jemalloc"] = NativePeers.JemallocStatus,
            },
            ["workloads"] = workloads,
        };
        File.WriteAllText(Path.Combine(folder, $"summary{suffix}.json"), doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        string primitivesLine = PrimitivesLine(r);
        File.WriteAllText(Path.Combine(folder, $"summary{suffix}.md"),
            $"Ratios ({(useMin ? "minimum" : "median")} of the iteration means) from one {(quick ? "quick" : "full")} run on {started:yyyy-MM-dd}, {Environment.ProcessorCount} cores ({CpuName()}); lower is better except W5 scaling.\n\n" + md
            + primitivesLine);
        Console.WriteLine($"{(useMin ? "minimum" : "median")} of the iteration means:");
        Console.WriteLine(md.ToString() + primitivesLine);
        Console.WriteLine($"summary: {Path.Combine(folder, $"summary{suffix}.json")}");
    }

    /// <summary>An M0 figure: ns per operation of the <c>M0_Primitives</c> benchmark <paramref name="method"/>, or null when it did not run.</summary>
    private static double? M0(Results r, string method) => r.Ns("M0_Primitives", method);

    /// <summary>M0: the machine's cost of the primitives the pool's paths use, ns per operation (null when not run).</summary>
    private static JsonObject Primitives(Results r) => new()
    {
        ["locked compare-exchange + store (ns)"] = Rounded(M0(r, "LockedCompareExchange")),
        ["two plain stores (ns)"] = Rounded(M0(r, "PlainStores")),
        ["[ThreadStatic] read through a call (ns)"] = Rounded(M0(r, "ThreadStaticRead")),
        ["static read through a call (ns)"] = Rounded(M0(r, "StaticRead")),
        ["process-wide barrier (ns)"] = Rounded(M0(r, "ProcessWideBarrier")),
    };

    /// <summary>The M0 figures as one line under the table, or nothing when M0 did not run.</summary>
    private static string PrimitivesLine(Results r) => M0(r, "LockedCompareExchange") is not double cas ? "" : string.Create(CultureInfo.InvariantCulture,
        $"\nMachine primitives (M0, one thread): locked compare-exchange + store {Ns(cas)}, two plain stores {Ns(M0(r, "PlainStores"))}, [ThreadStatic] read through a call {Ns(M0(r, "ThreadStaticRead"))} (a static one {Ns(M0(r, "StaticRead"))}), process-wide barrier {Us(M0(r, "ProcessWideBarrier"))}. A caching pool's malloc/free pair makes three locked instructions, the locked pool's four.\n");

    /// <summary>A row of the table; <paramref name="floor"/> (W1 only) is glibc's pair plus one locked instruction, measured in the same run.</summary>
    private static void AppendRow(StringBuilder md, string id, string c, double? pool, double? glibc, double? mi, double? je, string target, bool? met, double? floor = null) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {id} | {c} | {Ns(pool)} | {Fmt(Div(pool, glibc))} | {(floor is null ? "" : Fmt(Div(pool, floor)))} | {Fmt(Div(pool, mi))} | {Fmt(Div(pool, je))} | {target} | {Met(met)} |");

    private static double? Div(double? a, double? b) => a is double x && b is double y && y > 0 ? x / y : null;
    private static string Fmt(double? v) => v is double d ? d.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "n/a";
    private static string Ns(double? v) => v is double d ? d.ToString("0.0", CultureInfo.InvariantCulture) + " ns" : "n/a";
    private static string Us(double? v) => v is double d ? (d / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " us" : "n/a";
    private static string Met(bool? met) => met switch { true => "met", false => "MISSED", null => "" };

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
