using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;

namespace AreaMalloc.Bench;

/// <summary>
/// One allocator under test. Implemented by structs, and workloads are generic over <c>T : struct, IAlloc</c>,
/// so the JIT specializes every workload per allocator and inlines the calls: no interface dispatch is timed.
/// </summary>
internal interface IAlloc
{
    nint Malloc(nuint size);
    nint Calloc(nuint count, nuint size);
    nint Realloc(nint block, nuint size);
    void Free(nint block);
}

/// <summary>The pool, through <see cref="PoolAllocator"/> (Malloc/Calloc/Realloc/Free on nint).</summary>
internal readonly struct PoolAlloc(PoolAllocator pool) : IAlloc
{
    public PoolAllocator Pool => pool;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => pool.Malloc(size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Calloc(nuint count, nuint size) => pool.Calloc(count, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Realloc(nint block, nuint size) => pool.Realloc(block, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => pool.Free(block);

    /// <summary>A pool in a fresh area of <paramref name="size"/> bytes (B_ANY_ADDRESS, B_NO_LOCK, read/write), with <paramref name="caching"/>.</summary>
    public static PoolAlloc Create(nuint size, PoolCaching caching = PoolCaching.None)
    {
        PoolAllocator? pool = PoolAllocator.Create(Areas, B_ANY_ADDRESS, size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status, new PoolSettings { Caching = caching });
        return pool is null ? throw new InvalidOperationException($"create_pool({size}) failed: {status}") : new PoolAlloc(pool);
    }

    public void Delete() => pool.Delete();

    internal static readonly Areas.AreaRegistry Areas = new(new Areas.LinuxAreaBackend());
}

/// <summary>The pool through the Be module surface (<c>AreaMallocModule.Malloc(void* poolID, ...)</c>): adds the pool-id lookup.</summary>
internal readonly unsafe struct ModuleAlloc(AreaMallocModule module, nint poolId) : IAlloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => (nint)module.Malloc((void*)poolId, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Calloc(nuint count, nuint size) => (nint)module.Calloc((void*)poolId, count, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Realloc(nint block, nuint size) => (nint)module.Realloc((void*)poolId, (void*)block, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => module.Free((void*)poolId, (void*)block);

    private static readonly ModuleLoader Loader = new(PoolAlloc.Areas);

    /// <summary>get_module, then create_pool of <paramref name="size"/> bytes.</summary>
    public static ModuleAlloc Create(nuint size)
    {
        if (Loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module) != B_OK || module is null)
            throw new InvalidOperationException("get_module failed");
        void* id = module.CreatePool(B_ANY_ADDRESS, size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        return id == null ? throw new InvalidOperationException("create_pool failed") : new ModuleAlloc(module, (nint)id);
    }

    /// <summary>delete_pool, then put_module.</summary>
    public void Delete()
    {
        module.DeletePool((void*)poolId);
        Loader.PutModule(B_AREA_MALLOC_MODULE_NAME);
    }
}

/// <summary>glibc through <see cref="NativeMemory"/>, as most .NET code reaches it.</summary>
internal readonly unsafe struct GlibcAlloc : IAlloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => (nint)NativeMemory.Alloc(size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Calloc(nuint count, nuint size) => (nint)NativeMemory.AllocZeroed(count, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Realloc(nint block, nuint size) => (nint)NativeMemory.Realloc((void*)block, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => NativeMemory.Free((void*)block);
}

/// <summary>glibc's malloc/free called directly through SuppressGCTransition function pointers (no GC transition).</summary>
internal readonly unsafe struct GlibcDirectAlloc : IAlloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => NativePeers.LibcMalloc(size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Calloc(nuint count, nuint size) => NativePeers.LibcCalloc(count, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Realloc(nint block, nuint size) => NativePeers.LibcRealloc(block, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => NativePeers.LibcFree(block);
}

/// <summary>A mimalloc first-class heap: mi_heap_malloc/calloc/realloc, mi_free; must be used on the thread that made it.</summary>
internal readonly unsafe struct MiHeapAlloc(nint heap) : IAlloc
{
    public nint Heap => heap;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => NativePeers.MiHeapMalloc(heap, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Calloc(nuint count, nuint size) => NativePeers.MiHeapCalloc(heap, count, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Realloc(nint block, nuint size) => NativePeers.MiHeapRealloc(heap, block, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => NativePeers.MiFree(block);

    public static MiHeapAlloc Create() => new(NativePeers.MiHeapNew());
    public void Destroy() => NativePeers.MiHeapDestroy(heap);
}

/// <summary>mimalloc's default (thread-local) heap: mi_malloc/mi_free, for workloads that span threads.</summary>
internal readonly unsafe struct MiDefaultAlloc : IAlloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => NativePeers.MiMalloc(size);
    public nint Calloc(nuint count, nuint size) => throw new NotSupportedException();
    public nint Realloc(nint block, nuint size) => throw new NotSupportedException();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => NativePeers.MiFree(block);
}

/// <summary>jemalloc's malloc/free/calloc/realloc from its own library handle.</summary>
internal readonly unsafe struct JeAlloc : IAlloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Malloc(nuint size) => NativePeers.JeMalloc(size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Calloc(nuint count, nuint size) => NativePeers.JeCalloc(count, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public nint Realloc(nint block, nuint size) => NativePeers.JeRealloc(block, size);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Free(nint block) => NativePeers.JeFree(block);
}
