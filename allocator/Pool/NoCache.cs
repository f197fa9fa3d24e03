using System.Runtime.CompilerServices;
using AreaMalloc.Caching;

namespace AreaMalloc.Pool;

/// <summary>
/// The policy of a pool that does not cache: every call takes the lock, and a free returns its block to its slab at
/// once. Every member is a constant or an empty body, so the core compiled over it has no caching code left.
/// </summary>
internal readonly struct NoCache : ICachePolicy<NoCache>
{
    public static PoolCaching Kind => PoolCaching.None;

    public static NoCache Create(PoolCore<NoCache> core) => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint CallSite() => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryMalloc(nuint size, nuint site) => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFree(nint block, nuint site) => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryRealloc(nint block, nuint size, nuint site) => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Stop()
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Resume()
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Holds(ulong offset) => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong MallocLocked(PoolCore<NoCache> core, nuint size, nuint site) => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FreeSmallLocked(PoolCore<NoCache> core, ulong offset, uint slab, nuint site) => core.ReleaseSmallLocked(offset, slab);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Drain(PoolCore<NoCache> core) => 0;

    public void Abandon()
    {
    }

    public int Count => 0;

    public ulong Mark => 0;

    public ThreadMagazine? MagazineAt(nuint site) => null;

    public void Bind(nuint site, ThreadMagazine magazine) =>
        throw new InvalidOperationException("This pool has no magazines: it was made without PoolCaching.ThreadMagazines, or with poison.");
}
