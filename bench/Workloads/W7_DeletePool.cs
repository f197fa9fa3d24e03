using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// Workload 7: getting rid of <see cref="LiveBlocks"/> live 32-byte blocks at once. delete_pool (one munmap of the
/// pool's 64 MiB area) against freeing them one by one (pool, glibc, jemalloc, mimalloc) and against
/// mi_heap_destroy. <see cref="PoolDeleteOneBlock"/> deletes a pool holding a single block that covers the same
/// bytes (every page touched): delete_pool's cost follows the pages the kernel must release, not the block count,
/// so PoolDelete / PoolDeleteOneBlock near 1 is what "constant in the number of live blocks" means here.
/// One invocation per iteration; filling the pool is not timed. Times are per call (per whole release).
/// </summary>
[InvocationCount(1)]
public class W7_DeletePool
{
    private const nuint PoolSize = 64 << 20;
    private const nuint BlockSize = 32;

    [Params(1_000, 1_000_000)]
    public int LiveBlocks { get; set; }

    private nint[] _blocks = [];
    private PoolAlloc _pool;
    private MiHeapAlloc _mi;

    [GlobalSetup] public void Setup() => _blocks = new nint[LiveBlocks];

    [IterationSetup(Targets = [nameof(PoolDelete), nameof(PoolFreeEach)])]
    public void FillPool() { _pool = PoolAlloc.Create(PoolSize); Fill(_pool); }

    [IterationSetup(Targets = [nameof(PoolDeleteOneBlock)])]
    public unsafe void FillPoolOneBlock()
    {
        _pool = PoolAlloc.Create(PoolSize);
        nuint bytes = (nuint)LiveBlocks * BlockSize;
        byte* p = (byte*)_pool.Malloc(bytes);
        for (nuint i = 0; i < bytes; i += 4096)
            p[i] = 1;
    }

    [IterationCleanup(Targets = [nameof(PoolFreeEach)])] public void DeletePool() => _pool.Delete();
    [IterationSetup(Targets = [nameof(GlibcFreeEach)])] public void FillGlibc() => Fill(default(GlibcAlloc));
    [IterationSetup(Targets = [nameof(JemallocFreeEach)])] public void FillJe() => Fill(default(JeAlloc));
    [IterationSetup(Targets = [nameof(MimallocDestroy), nameof(MimallocFreeEach)])] public void FillMi() { _mi = MiHeapAlloc.Create(); Fill(_mi); }
    [IterationCleanup(Targets = [nameof(MimallocFreeEach)])] public void DestroyMi() => _mi.Destroy();

    [Benchmark] public void PoolDelete() => _pool.Delete();
    [Benchmark] public void PoolDeleteOneBlock() => _pool.Delete();
    [Benchmark] public void PoolFreeEach() => FreeEach(_pool);
    [Benchmark(Baseline = true)] public void GlibcFreeEach() => FreeEach(default(GlibcAlloc));
    [Benchmark] public void JemallocFreeEach() => FreeEach(default(JeAlloc));
    [Benchmark] public void MimallocFreeEach() => FreeEach(_mi);
    [Benchmark] public void MimallocDestroy() => _mi.Destroy();

    private unsafe void Fill<T>(T a) where T : struct, IAlloc
    {
        for (int i = 0; i < _blocks.Length; i++)
        {
            _blocks[i] = a.Malloc(BlockSize);
            *(long*)_blocks[i] = i;
        }
    }

    private void FreeEach<T>(T a) where T : struct, IAlloc
    {
        nint[] blocks = _blocks;
        for (int i = 0; i < blocks.Length; i++)
            a.Free(blocks[i]);
    }
}
