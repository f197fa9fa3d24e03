using System.Reflection;
using AreaMalloc.Bench;
using AreaMalloc.Bench.Workloads;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using AreaMalloc.Format;

// dotnet run -c Release --project bench [-- --capacity] [-- --quick] [--filter <glob>]... [--no-footprint] [--no-install] [--list] [--out <subfolder>]

// --capacity: the capacity table (counts, no timing, no peers), then nothing else.
if (args.Contains("--capacity"))
    return Capacity.Run(Paths.RepoRoot());

// The native peers first (apt-get when missing; see PeerInstaller), once, in the process that starts the run.
if (Environment.GetEnvironmentVariable("AREAMALLOC_BENCH_CHILD") is null && PeerInstaller.Wanted(args)
    && PeerInstaller.Run(Paths.RepoRoot()) is string installProblem)
    Console.WriteLine(installProblem);

// Debian's libjemalloc.so.2 uses initial-exec TLS, so dlopen fails with "cannot allocate memory in static TLS
// block" unless the loader reserves more static TLS. That is a start-up tunable: re-run this program once with it.
const string TlsTunable = "glibc.rtld.optional_static_tls=65536";
if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("AREAMALLOC_BENCH_CHILD") is null
    && Environment.ProcessPath is string self && !self.EndsWith("/dotnet", StringComparison.Ordinal))
{
    var start = new System.Diagnostics.ProcessStartInfo(self) { UseShellExecute = false };
    foreach (string a in args)
        start.ArgumentList.Add(a);
    string? tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
    start.Environment["GLIBC_TUNABLES"] = string.IsNullOrEmpty(tunables) ? TlsTunable : tunables + ":" + TlsTunable;
    start.Environment["AREAMALLOC_BENCH_CHILD"] = "1";
    // In-process benchmarks share one JIT: promote hot methods to tier 1 at once instead of after the default 100 ms
    // quiet period, so that the first benchmarks of a run are not measured on tier-0 code.
    start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
    using var child = System.Diagnostics.Process.Start(start)!;
    child.WaitForExit();
    return child.ExitCode;
}
bool quick = args.Contains("--quick");
bool list = args.Contains("--list");
bool noFootprint = args.Contains("--no-footprint");
var filters = new List<string>();
string? outSub = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length)
        outSub = args[++i];
    else if (args[i] == "--filter" && i + 1 < args.Length)
        filters.Add(args[++i]);
    else if (args[i].StartsWith("--filter=", StringComparison.Ordinal))
        filters.Add(args[i]["--filter=".Length..]);
}

if (W3_Mixed.ActualLength != W3_Mixed.TraceLength || W4_Large.ActualLength != W4_Large.TraceLength)
    throw new InvalidOperationException($"trace lengths changed: W3 {W3_Mixed.ActualLength}, W4 {W4_Large.ActualLength}; update the TraceLength constants");

string root = Paths.RepoRoot();
string benchRoot = Path.Combine(root, "artifacts", "bench");
string artifacts = outSub is null ? benchRoot : Path.Combine(benchRoot, outSub);
Directory.CreateDirectory(artifacts);

Console.WriteLine($"AreaMalloc bench: {(quick ? "quick" : "full")} mode, artifacts in {artifacts}");
Console.WriteLine($"  interleaving hook calls: {(AreaMalloc.Format.Interleaving.CompiledIn ? "compiled in" : "compiled out")}");
Console.WriteLine($"  glibc:    NativeMemory.Alloc/Free; direct: {NativePeers.GlibcDirectStatus}");
Console.WriteLine($"  mimalloc: {NativePeers.MimallocStatus}");
Console.WriteLine($"  jemalloc: {NativePeers.JemallocStatus}");

// In-process (emitted) toolchain: no generated project to build, so a quick run fits in about two minutes, and the
// repository's warnings-as-errors build settings never meet BenchmarkDotNet's generated code.
Job job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithId(quick ? "Quick" : "Full");
bool hookRun = outSub is not null && outSub.StartsWith("hook-", StringComparison.Ordinal);
job = hookRun
    // hook-cost.sh: many short iterations, so that the minimum finds undisturbed stretches on a busy machine.
    ? job.WithWarmupCount(5).WithIterationCount(61).WithIterationTime(TimeInterval.FromMilliseconds(15))
    // Many short iterations rather than a few long ones: on this shared machine the minimum of the iteration means
    // (what summary.json reports) then finds stretches that no other job disturbed.
    : quick
    ? job.WithWarmupCount(3).WithIterationCount(21).WithIterationTime(TimeInterval.FromMilliseconds(20))
    : job.WithWarmupCount(6).WithIterationCount(61).WithIterationTime(TimeInterval.FromMilliseconds(25));

IConfig config = ManualConfig.CreateEmpty()
    .AddJob(job)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddLogger(ConsoleLogger.Default)
    .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
    .AddFilter(new PeerAvailabilityFilter())
    .WithArtifactsPath(artifacts)
    .WithOptions(ConfigOptions.DisableLogFile);
if (filters.Count > 0)
    config = ((ManualConfig)config).AddFilter(new GlobFilter(filters.Append("*W0_Warmup*").ToArray()));

Type[] workloads =
[
    typeof(W0_Warmup), typeof(W1_LifoPairs), typeof(W2_Batch), typeof(W3_Mixed), typeof(W4_Large),
    typeof(W5_Threads), typeof(W5_PrivatePairs), typeof(W6_Calloc), typeof(W7_DeletePool), typeof(M0_Primitives),
];

if (list)
{
    foreach (Type t in workloads)
        foreach (MethodInfo m in t.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkDotNet.Attributes.BenchmarkAttribute>() is not null))
            Console.WriteLine($"{t.FullName}.{m.Name}");
    return 0;
}

Prewarm.Run([typeof(W1_LifoPairs), typeof(W2_Batch), typeof(W3_Mixed), typeof(W4_Large)]);

var started = DateTimeOffset.Now;
Summary[] summaries = BenchmarkRunner.Run(workloads, config);

var footprints = new List<Footprint.Result>();
if (!noFootprint && (filters.Count == 0 || filters.Any(f => f.Contains("W8", StringComparison.OrdinalIgnoreCase) || f == "*")))
{
    Console.WriteLine("W8 footprint: replaying the batch and mixed traces...");
    footprints.Add(Footprint.Measure(W2_Batch.Shared));
    footprints.Add(Footprint.Measure(W3_Mixed.Shared));
}

SummaryJson.Write(artifacts, quick, started, summaries, footprints);
if (hookRun)
    HookCost.Compare(benchRoot);
return 0;

namespace AreaMalloc.Bench
{
    internal static class Paths
    {
        /// <summary>The folder holding AreaMalloc.Verify.sln, searched upward from the binary and the working folder.</summary>
        public static string RepoRoot()
        {
            foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
                    if (File.Exists(Path.Combine(d.FullName, "AreaMalloc.Verify.sln")))
                        return d.FullName;
            }
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>
    /// Calls every benchmark of the given classes (those without per-iteration set-up) a few hundred times before
    /// BenchmarkDotNet starts, then waits for the JIT's background tier-1 compilations: the benchmarks run in one
    /// process, and without this the first cases of a run were measured partly on tier-0 code (the first case read
    /// up to several times slower than the same code later in the run).
    /// </summary>
    internal static class Prewarm
    {
        public static void Run(Type[] types)
        {
            var filter = new PeerAvailabilityFilter();
            foreach (Type type in types)
            {
                PropertyInfo? size = type.GetProperty("Size");
                foreach (int value in size is null ? [0] : new[] { 16, 64, 256, 1024 })
                {
                    object instance = Activator.CreateInstance(type)!;
                    size?.SetValue(instance, value);
                    MethodInfo[] methods = type.GetMethods();
                    methods.FirstOrDefault(m => m.GetCustomAttribute<BenchmarkDotNet.Attributes.GlobalSetupAttribute>() is not null)?.Invoke(instance, null);
                    foreach (MethodInfo m in methods.Where(m => m.GetCustomAttribute<BenchmarkDotNet.Attributes.BenchmarkAttribute>() is not null))
                    {
                        if (!filter.Allows(m.Name))
                            continue;
                        var call = m.CreateDelegate<Action>(instance);
                        for (int i = 0; i < (size is null ? 100 : 500); i++)
                            call();
                    }
                    methods.FirstOrDefault(m => m.GetCustomAttribute<BenchmarkDotNet.Attributes.GlobalCleanupAttribute>() is not null)?.Invoke(instance, null);
                }
            }
            Thread.Sleep(500);
        }
    }

    /// <summary>Leaves out the benchmarks of peers that are not installed (they are reported as skipped).</summary>
    internal sealed class PeerAvailabilityFilter : IFilter
    {
        public bool Predicate(BenchmarkCase benchmarkCase) => Allows(benchmarkCase.Descriptor.WorkloadMethod.Name);

        public bool Allows(string method)
        {
            if (method.StartsWith("Mimalloc", StringComparison.Ordinal))
                return NativePeers.HasMimalloc;
            if (method.StartsWith("Jemalloc", StringComparison.Ordinal))
                return NativePeers.HasJemalloc;
            if (method.StartsWith("GlibcDirect", StringComparison.Ordinal))
                return NativePeers.HasGlibcDirect;
            return true;
        }
    }
}
