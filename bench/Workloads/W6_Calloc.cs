using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// Workload 6: calloc of fresh memory against calloc of reused memory: 256 blocks of 16 KiB per invocation.
/// Fresh: a new pool (or a new mimalloc heap; glibc after malloc_trim(0)), whose memory was never written, so a
/// calloc that knows it may skip the clearing. Reused: the same allocator after 256 blocks of 16 KiB were written
/// and freed, so calloc must clear. One invocation per iteration (the set-up is not timed). jemalloc has no
/// per-heap "fresh" state to ask for through this API, so it is timed on reused memory only.
/// </summary>
[InvocationCount(1)]
public class W6_Calloc
{
    private const int Blocks = 256;
    private const nuint BlockSize = 16 << 10;
    private const nuint PoolSize = 16 << 20;

    private readonly nint[] _blocks = new nint[Blocks];
    private PoolAlloc _pool;
    private MiHeapAlloc _mi;

    [IterationSetup(Targets = [nameof(PoolFresh)])] public void SetupPoolFresh() => _pool = PoolAlloc.Create(PoolSize);
    [IterationCleanup(Targets = [nameof(PoolFresh)])] public void CleanupPoolFresh() => _pool.Delete();
    [IterationSetup(Targets = [nameof(PoolReused)])] public void SetupPoolReused() { _pool = PoolAlloc.Create(PoolSize); Dirty(_pool); }
    [IterationCleanup(Targets = [nameof(PoolReused)])] public void CleanupPoolReused() => _pool.Delete();
    [IterationSetup(Targets = [nameof(GlibcFresh)])] public unsafe void SetupGlibcFresh() { if (NativePeers.LibcMallocTrim != null) NativePeers.LibcMallocTrim(0); }
    [IterationCleanup(Targets = [nameof(GlibcFresh), nameof(GlibcReused)])] public void CleanupGlibc() => FreeAll(default(GlibcAlloc));
    [IterationSetup(Targets = [nameof(GlibcReused)])] public void SetupGlibcReused() => Dirty(default(GlibcAlloc));
    [IterationSetup(Targets = [nameof(MimallocFresh)])] public void SetupMiFresh() => _mi = MiHeapAlloc.Create();
    [IterationSetup(Targets = [nameof(MimallocReused)])] public void SetupMiReused() { _mi = MiHeapAlloc.Create(); Dirty(_mi); }
    [IterationCleanup(Targets = [nameof(MimallocFresh), nameof(MimallocReused)])] public void CleanupMi() { FreeAll(_mi); _mi.Destroy(); }
    [IterationSetup(Targets = [nameof(JemallocReused)])] public void SetupJeReused() => Dirty(default(JeAlloc));
    [IterationCleanup(Targets = [nameof(JemallocReused)])] public void CleanupJe() => FreeAll(default(JeAlloc));

    [Benchmark(OperationsPerInvoke = Blocks)] public void PoolFresh() => Run(_pool);
    [Benchmark(OperationsPerInvoke = Blocks)] public void PoolReused() => Run(_pool);
    [Benchmark(OperationsPerInvoke = Blocks)] public void GlibcFresh() => Run(default(GlibcAlloc));
    [Benchmark(OperationsPerInvoke = Blocks)] public void GlibcReused() => Run(default(GlibcAlloc));
    [Benchmark(OperationsPerInvoke = Blocks)] public void MimallocFresh() => Run(_mi);
    [Benchmark(OperationsPerInvoke = Blocks)] public void MimallocReused() => Run(_mi);
    [Benchmark(OperationsPerInvoke = Blocks)] public void JemallocReused() => Run(default(JeAlloc));

    private void Run<T>(T a) where T : struct, IAlloc
    {
        for (int i = 0; i < Blocks; i++)
            _blocks[i] = a.Calloc(1, BlockSize);
    }

    private unsafe void Dirty<T>(T a) where T : struct, IAlloc
    {
        for (int i = 0; i < Blocks; i++)
        {
            _blocks[i] = a.Malloc(BlockSize);
            new Span<byte>((void*)_blocks[i], (int)BlockSize).Fill(0xA5);
        }
        FreeAll(a);
    }

    private void FreeAll<T>(T a) where T : struct, IAlloc
    {
        for (int i = 0; i < Blocks; i++)
        {
            if (_blocks[i] != 0)
                a.Free(_blocks[i]);
            _blocks[i] = 0;
        }
    }
}
