using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.BeModule;

/// <summary>
/// The Be-faithful surface: <c>area_malloc_module_info</c>'s functions with the pool first, pointers as
/// pointers and status codes as ints. Obtain it with <see cref="ModuleLoader.GetModule"/>.
/// The four allocation functions are safe against each other; create_pool and delete_pool are safe against
/// each other; delete_pool is NOT safe against calls on the same pool that are still running (as the Be Book says).
/// Calls naming a deleted, never-created or garbage pool id return NULL (B_ERROR for delete_pool) without
/// dereferencing the id. A module whose pools have <see cref="PoolBehavior.SafeDeletion"/> (see
/// <see cref="ModuleLoader(AreaRegistry, PoolSettings?)"/>) makes delete_pool safe against those calls too.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Be's parameter names (ptr) are kept verbatim.")]
public sealed unsafe class AreaMallocModule
{
    private readonly PoolHandleTable _pools;

    /// <summary>A module over <paramref name="areas"/> (the loader makes it; tests make small ones with <paramref name="maxPools"/>).</summary>
    internal AreaMallocModule(AreaRegistry areas, PoolSettings poolSettings, uint maxPools = PoolHandleTable.MaxSlots)
    {
        Areas = areas;
        PoolSettings = poolSettings;
        _pools = new PoolHandleTable(maxPools);
    }

    /// <summary>The registry the module's pools take their areas from.</summary>
    public AreaRegistry Areas { get; }

    /// <summary>The settings of every pool create_pool makes (the Be Book's unless the loader was told otherwise).</summary>
    public PoolSettings PoolSettings { get; }

    /// <summary>Pools created and not yet deleted.</summary>
    public int PoolCount => _pools.Count;

    /// <summary>create_pool: a new pool in an area made with these specs (no address: see <see cref="PoolAllocator.Create"/>); an opaque id, or NULL.</summary>
    public void* CreatePool(uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        PoolAllocator? pool = PoolAllocator.Create(Areas, addressSpec, size, lockSpec, protection, out _, PoolSettings);
        if (pool is null)
            return null;
        nint id = _pools.Add(pool);
        if (id == 0)
            pool.Delete();
        return (void*)id;
    }

    /// <summary>delete_pool: B_OK when the pool was deleted (its pointers are invalid at once), else B_ERROR.</summary>
    public int DeletePool(void* poolID)
    {
        // The id is dropped only once the area is gone: when the OS refuses to unmap, the pool stays reachable
        // (and deletable again), so its mapping is never stranded. Two racing deletes: the pool's lock lets one win.
        PoolAllocator? pool = _pools.Find((nint)poolID);
        if (pool is null || pool.Delete() != B_OK)
            return B_ERROR;
        _pools.Remove((nint)poolID);
        return B_OK;
    }

    /// <summary>malloc: a block of at least <paramref name="size"/> bytes from the pool, or NULL.</summary>
    public void* Malloc(void* poolID, nuint size) =>
        _pools.Find((nint)poolID) is { } pool ? (void*)pool.Malloc(size) : null;

    /// <summary>calloc: a zeroed block for <paramref name="numMembers"/> items of <paramref name="size"/> bytes, or NULL (also on overflow).</summary>
    public void* Calloc(void* poolID, nuint numMembers, nuint size) =>
        _pools.Find((nint)poolID) is { } pool ? (void*)pool.Calloc(numMembers, size) : null;

    /// <summary>realloc: the resized block (same or new pointer), or NULL (failure: the old block is intact; or size 0: freed).</summary>
    public void* Realloc(void* poolID, void* ptr, nuint size) =>
        _pools.Find((nint)poolID) is { } pool ? (void*)pool.Realloc((nint)ptr, size) : null;

    /// <summary>free: releases the block; NULL is ignored; a pointer that is not a live block of the pool is refused and counted.</summary>
    public void Free(void* poolID, void* ptr) => _pools.Find((nint)poolID)?.Free((nint)ptr);

    /// <summary>Beyond Be: the pool behind an id, or null when the id names no live pool.</summary>
    public PoolAllocator? FindPool(void* poolID) => _pools.Find((nint)poolID);

    /// <summary>
    /// Deletes every remaining pool (the last put_module does this). A pool whose area the OS refuses to unmap stays
    /// live (and reachable by its id), so its mapping is never stranded. Returns how many pools remain.
    /// </summary>
    internal int DeleteAllPools() => _pools.RemoveAll(pool => pool.Delete() == B_OK);
}
