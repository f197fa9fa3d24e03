using AreaMalloc.Pool;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// Workload 1: LIFO malloc/free pairs (malloc n bytes, free it at once), 1,024 pairs per invocation.
/// Times are per pair. The pool is timed through <see cref="Pool.PoolAllocator"/> and through the Be module surface.
/// </summary>
public class W1_LifoPairs
{
    private const int Pairs = 1024;

    [Params(16, 64, 256, 1024)]
    public int Size { get; set; }

    private PoolAlloc _pool;
    private PoolAlloc _cached;
    private ModuleAlloc _module;
    private MiHeapAlloc _mi;

    [GlobalSetup]
    public void Setup()
    {
        _pool = PoolAlloc.Create(16 << 20);
        _cached = PoolAlloc.Create(16 << 20, PoolCaching.ThreadMagazines);
        _module = ModuleAlloc.Create(16 << 20);
        if (NativePeers.HasMimalloc)
            _mi = MiHeapAlloc.Create();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Delete();
        _cached.Delete();
        _module.Delete();
        if (NativePeers.HasMimalloc)
            _mi.Destroy();
    }

    [Benchmark(OperationsPerInvoke = Pairs)] public void Pool() => Run(_pool, (nuint)Size);
    [Benchmark(OperationsPerInvoke = Pairs)] public void PoolCached() => Run(_cached, (nuint)Size);
    [Benchmark(OperationsPerInvoke = Pairs)] public void PoolModule() => Run(_module, (nuint)Size);
    [Benchmark(OperationsPerInvoke = Pairs, Baseline = true)] public void Glibc() => Run(default(GlibcAlloc), (nuint)Size);
    [Benchmark(OperationsPerInvoke = Pairs)] public void GlibcDirect() => Run(default(GlibcDirectAlloc), (nuint)Size);
    [Benchmark(OperationsPerInvoke = Pairs)] public void Mimalloc() => Run(_mi, (nuint)Size);
    [Benchmark(OperationsPerInvoke = Pairs)] public void Jemalloc() => Run(default(JeAlloc), (nuint)Size);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run<T>(T a, nuint size) where T : struct, IAlloc
    {
        for (int i = 0; i < Pairs; i++)
            a.Free(a.Malloc(size));
    }
}

/// <summary>Replays one <see cref="Trace"/> per invocation; the time is per operation of the trace.</summary>
public abstract class TraceWorkload
{
    private protected abstract Trace Trace { get; }
    private protected abstract nuint PoolSize { get; }

    private PoolAlloc _pool;
    private PoolAlloc _cached;
    private MiHeapAlloc _mi;
    private nint[] _slots = [];

    [GlobalSetup]
    public void Setup()
    {
        _slots = new nint[Trace.SlotCount];
        _pool = PoolAlloc.Create(PoolSize);
        _cached = PoolAlloc.Create(PoolSize, PoolCaching.ThreadMagazines);
        if (NativePeers.HasMimalloc)
            _mi = MiHeapAlloc.Create();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Delete();
        _cached.Delete();
        if (NativePeers.HasMimalloc)
            _mi.Destroy();
    }

    private protected void RunPool() => Trace.Replay(ref _pool, Trace, _slots);
    private protected void RunPoolCached() => Trace.Replay(ref _cached, Trace, _slots);
    private protected void RunGlibc() { var a = default(GlibcAlloc); Trace.Replay(ref a, Trace, _slots); }
    private protected void RunGlibcDirect() { var a = default(GlibcDirectAlloc); Trace.Replay(ref a, Trace, _slots); }
    private protected void RunMimalloc() => Trace.Replay(ref _mi, Trace, _slots);
    private protected void RunJemalloc() { var a = default(JeAlloc); Trace.Replay(ref a, Trace, _slots); }
}

/// <summary>Workload 2: 10,000 mixed small blocks (8 to 1024 B) allocated, then freed in random order (20,000 operations).</summary>
public class W2_Batch : TraceWorkload
{
    internal static readonly Trace Shared = Trace.Batch();
    private const int Ops = 20_000;
    private protected override Trace Trace => Shared;
    private protected override nuint PoolSize => 64 << 20;

    [Benchmark(OperationsPerInvoke = Ops)] public void Pool() => RunPool();
    [Benchmark(OperationsPerInvoke = Ops)] public void PoolCached() => RunPoolCached();
    [Benchmark(OperationsPerInvoke = Ops, Baseline = true)] public void Glibc() => RunGlibc();
    [Benchmark(OperationsPerInvoke = Ops)] public void GlibcDirect() => RunGlibcDirect();
    [Benchmark(OperationsPerInvoke = Ops)] public void Mimalloc() => RunMimalloc();
    [Benchmark(OperationsPerInvoke = Ops)] public void Jemalloc() => RunJemalloc();
}

/// <summary>Workload 3: mixed sizes 16 B to 64 KiB (Pareto), with realloc, on 1,000 slots (see <see cref="Trace.Mixed"/>).</summary>
public class W3_Mixed : TraceWorkload
{
    internal static readonly Trace Shared = Trace.Mixed();
    private static readonly int Ops = Shared.Length;
    private protected override Trace Trace => Shared;
    private protected override nuint PoolSize => 256 << 20;

    // OperationsPerInvoke must be a constant: the trace length is checked against it at start-up.
    internal const int TraceLength = 20_583;

    [Benchmark(OperationsPerInvoke = TraceLength)] public void Pool() => RunPool();
    [Benchmark(OperationsPerInvoke = TraceLength)] public void PoolCached() => RunPoolCached();
    [Benchmark(OperationsPerInvoke = TraceLength, Baseline = true)] public void Glibc() => RunGlibc();
    [Benchmark(OperationsPerInvoke = TraceLength)] public void GlibcDirect() => RunGlibcDirect();
    [Benchmark(OperationsPerInvoke = TraceLength)] public void Mimalloc() => RunMimalloc();
    [Benchmark(OperationsPerInvoke = TraceLength)] public void Jemalloc() => RunJemalloc();

    internal static int ActualLength => Ops;
}

/// <summary>Workload 4: large blocks, 64 KiB to 1 MiB, malloc/free on 32 slots (see <see cref="Trace.Large"/>).</summary>
public class W4_Large : TraceWorkload
{
    internal static readonly Trace Shared = Trace.Large();
    private protected override Trace Trace => Shared;
    private protected override nuint PoolSize => 256 << 20;

    internal const int TraceLength = 2_014;

    [Benchmark(OperationsPerInvoke = TraceLength)] public void Pool() => RunPool();
    [Benchmark(OperationsPerInvoke = TraceLength, Baseline = true)] public void Glibc() => RunGlibc();
    [Benchmark(OperationsPerInvoke = TraceLength)] public void Mimalloc() => RunMimalloc();
    [Benchmark(OperationsPerInvoke = TraceLength)] public void Jemalloc() => RunJemalloc();

    internal static int ActualLength => Shared.Length;
}

/// <summary>
/// Not a workload: runs first and absorbs the start-up of an in-process run (BenchmarkDotNet's own code being
/// compiled to tier 1 on the other core), which otherwise made the first measured case read slow. Not reported.
/// </summary>
public class W0_Warmup
{
    private PoolAlloc _pool;

    [GlobalSetup] public void Setup() => _pool = PoolAlloc.Create(16 << 20);
    [GlobalCleanup] public void Cleanup() => _pool.Delete();

    [Benchmark(OperationsPerInvoke = 1024)]
    public void PoolPairs()
    {
        for (int i = 0; i < 1024; i++)
            _pool.Free(_pool.Malloc(64));
    }
}
