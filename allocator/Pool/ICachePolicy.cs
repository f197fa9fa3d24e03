using AreaMalloc.Caching;

namespace AreaMalloc.Pool;

/// <summary>
/// What a pool's core asks of its cache, and nothing more: the core (<see cref="PoolCore{TCache}"/>) is generic over a
/// struct implementing this, so the JIT compiles each kind of pool on its own and a pool without a cache
/// (<see cref="NoCache"/>) runs no caching code at all: its members are constants and empty bodies that inline away.
/// The core never asks whether caching is on.
/// <para>
/// Contract: the lock-free members (<see cref="TryMalloc"/>, <see cref="TryFree"/>, <see cref="TryRealloc"/>) either
/// do the whole call or change nothing and return 0/false, leaving the call to the locked path; the locked members run
/// holding the pool's lock between <see cref="Stop"/> and <see cref="Resume"/>, so no lock-free member runs beside them.
/// A cached block is live and counted in use (LiveBlocks, BytesInUse, its slab's Live) but is not the program's.
/// </para>
/// </summary>
/// <typeparam name="TSelf">The policy itself.</typeparam>
internal interface ICachePolicy<TSelf> where TSelf : struct, ICachePolicy<TSelf>
{
    /// <summary>The caching the policy does.</summary>
    static abstract PoolCaching Kind { get; }

    /// <summary>The policy of a new pool (called once, from the core's constructor, before the pool is shared).</summary>
    static abstract TSelf Create(PoolCore<TSelf> core);

    /// <summary>The call's site: an address in the caller's stack frame (a cache routes calls by it), or 0 when unused.</summary>
    static abstract nuint CallSite();

    /// <summary>Lock-free malloc of 1 to <c>SizeClasses.MaxSmallSize</c> bytes (0 too): a block, or 0 to take the lock.</summary>
    nint TryMalloc(nuint size, nuint site);

    /// <summary>Lock-free free of a non-NULL pointer: true when done, false (nothing changed) to take the lock.</summary>
    bool TryFree(nint block, nuint site);

    /// <summary>Lock-free realloc of a non-NULL pointer to 1 to <c>SizeClasses.MaxSmallSize</c> bytes: the result, or 0 to take the lock.</summary>
    nint TryRealloc(nint block, nuint size, nuint site);

    /// <summary>A locked section begins: no lock-free member may run until the matching <see cref="Resume"/>. Nests.</summary>
    void Stop();

    /// <summary>The locked section that called <see cref="Stop"/> ends.</summary>
    void Resume();

    /// <summary>Whether the cache holds the live block at <paramref name="offset"/> (so it is not the program's). Call stopped.</summary>
    bool Holds(ulong offset);

    /// <summary>A small block for a locked malloc from the call's site (refilling the cache from the slabs), or 0 (then the core allocates). Call stopped.</summary>
    ulong MallocLocked(PoolCore<TSelf> core, nuint size, nuint site);

    /// <summary>Frees (or caches) the live slab object at <paramref name="offset"/> of slab <paramref name="slab"/> for a locked free from the call's site; false (nothing changed, damage recorded) on damage. Call stopped.</summary>
    bool FreeSmallLocked(PoolCore<TSelf> core, ulong offset, uint slab, nuint site);

    /// <summary>Returns every cached block to its slab; how many went back. Call stopped.</summary>
    int Drain(PoolCore<TSelf> core);

    /// <summary>The pool was deleted: the cache stays stopped for good.</summary>
    void Abandon();

    /// <summary>How many blocks the cache holds. Call stopped.</summary>
    int Count { get; }

    /// <summary>The word a cached block carries in its first 8 bytes, or 0.</summary>
    ulong Mark { get; }

    /// <summary>The magazine the calls from <paramref name="site"/> use, or null.</summary>
    ThreadMagazine? MagazineAt(nuint site);

    /// <summary>Routes the calls from <paramref name="site"/> to <paramref name="magazine"/>. Call holding the lock.</summary>
    void Bind(nuint site, ThreadMagazine magazine);
}
