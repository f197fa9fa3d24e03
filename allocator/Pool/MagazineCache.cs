using System.Runtime.CompilerServices;
using AreaMalloc.Caching;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>
/// The policy of a pool with <see cref="PoolCaching.ThreadMagazines"/>: small malloc, free and realloc first try the
/// lock-free paths of the magazine bound to the call's stack window (<see cref="MagazineFastPaths"/>); under the lock,
/// a small malloc pops the thread's magazine (refilled with half its capacity from the slabs when empty) and a small
/// free pushes it (after half of a full class went back to the slabs). Every locked section stops every magazine
/// first (<see cref="MagazineRack.Stop"/>), so locked code never runs beside a lock-free path.
/// Invariants: see <see cref="ThreadMagazine"/> (what a magazine holds) and <see cref="CacheMark"/> (the claim word).
/// </summary>
internal readonly unsafe struct MagazineCache : ICachePolicy<MagazineCache>
{
    private readonly MagazineRack _rack;
    private readonly StackWindows _windows;
    private readonly MagazineFastPaths _fast;
    private readonly CacheMark _mark;

    private MagazineCache(MagazineRack rack, StackWindows windows, MagazineFastPaths fast, CacheMark mark)
    {
        _rack = rack;
        _windows = windows;
        _fast = fast;
        _mark = mark;
    }

    public static PoolCaching Kind => PoolCaching.ThreadMagazines;

    public static MagazineCache Create(PoolCore<MagazineCache> core)
    {
        var windows = new StackWindows();
        var mark = new CacheMark((byte*)core.Base, core.Guard.Keys.CacheMark);
        var fast = new MagazineFastPaths((byte*)core.Base, core.Layout.HeapStart, core.Layout.HeapEnd, core.PageMap, core.LiveMap, core.Slabs, core.Guard, windows, mark);
        return new MagazineCache(new MagazineRack(), windows, fast, mark);
    }

    /// <summary>One stack address per call, so that the fast path and the locked one use the same window's magazine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint CallSite() => StackWindows.CurrentStackAddress();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryMalloc(nuint size, nuint site) => _fast.TryMalloc(size, site);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFree(nint block, nuint site) => _fast.TryFree(block, site);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryRealloc(nint block, nuint size, nuint site) => _fast.TryRealloc(block, size, site);

    public void Stop() => _rack.Stop();

    public void Resume() => _rack.Resume();

    /// <summary>
    /// Whether a magazine holds the block at <paramref name="offset"/>: it carries the cache mark and some magazine
    /// lists it (looked for only when marked, so the check of a live block costs one compare; the search reads no slab
    /// header, so it answers alike when the block's slab is damaged).
    /// </summary>
    public bool Holds(ulong offset) => _mark.IsSet(offset) && _rack.Holds(offset);

    /// <summary>
    /// The locked malloc of a small size: a block from the magazine of the call's site, refilled with half its
    /// capacity from the slabs when empty. 0 when no slab object could be had (the core then tries a large block).
    /// </summary>
    public ulong MallocLocked(PoolCore<MagazineCache> core, nuint size, nuint site)
    {
        int sizeClass = SizeClasses.ClassOf(size);
        ThreadMagazine magazine = BindLocked(site);
        if (magazine.Count(sizeClass) == 0)
        {
            for (int i = ThreadMagazine.Capacity(sizeClass) / 2; i > 0; i--)
            {
                // Live and counted as in use, as every cached block is, and marked as cached.
                ulong obj = core.TakeObjectLocked(sizeClass);
                if (obj == 0)
                    break;
                _mark.Set(obj);
                magazine.Push(sizeClass, obj);
            }
        }
        ulong offset = magazine.Pop(sizeClass);
        if (offset != 0)
            _mark.Clear(offset);
        return offset;
    }

    /// <summary>
    /// The locked free of the live object at <paramref name="offset"/> of slab <paramref name="slab"/>: into the
    /// magazine of the call's site, after half of a full class went back to the slabs. False (nothing changed, damage
    /// recorded) when the slab header fails its magic or the class stays full and the direct free meets damage.
    /// </summary>
    public bool FreeSmallLocked(PoolCore<MagazineCache> core, ulong offset, uint slab, nuint site)
    {
        if (!core.Slabs.IsIntact(slab))
            return false;
        int sizeClass = core.Slabs.Slab(slab)->SizeClass;
        ThreadMagazine magazine = BindLocked(site);
        if (magazine.Count(sizeClass) == ThreadMagazine.Capacity(sizeClass))
            FlushOldest(core, magazine, sizeClass, magazine.Count(sizeClass) / 2);
        if (magazine.Count(sizeClass) == ThreadMagazine.Capacity(sizeClass))
            return core.ReleaseSmallLocked(offset, slab);
        _mark.Set(offset);
        magazine.Push(sizeClass, offset);
        return true;
    }

    /// <summary>
    /// Returns every cached block of every magazine to its slab, so the slabs, lists and statistics are those of an
    /// uncached pool. A pool that met damage drains nothing (a drain would meet the damage again and count it once
    /// more), and a block whose slab (or the heap around it) proves damaged stays cached. Returns how many went back.
    /// </summary>
    public int Drain(PoolCore<MagazineCache> core)
    {
        if (core.Guard.Damaged)
            return 0;
        int returned = 0;
        foreach (ThreadMagazine magazine in _rack.All)
            for (int c = 0; c < SizeClasses.Count; c++)
                returned += FlushOldest(core, magazine, c, magazine.Count(c));
        return returned;
    }

    public void Abandon() => _rack.AbandonAll();

    public int Count => _rack.CachedBlocks;

    public ulong Mark => _mark.Word;

    /// <summary>The magazine bound to the window of <paramref name="site"/> or, when none is, to the next window up.</summary>
    public ThreadMagazine? MagazineAt(nuint site)
    {
        // Stryker disable once Arithmetic,NullCoalescing : the second look serves only a caller just above a window boundary (docs/MUTATION.md#test-hook)
        return _windows.Find(site) ?? _windows.Find(site + StackWindows.WindowBytes);
    }

    public void Bind(nuint site, ThreadMagazine magazine) => _windows.Bind(site, magazine);

    /// <summary>
    /// The magazine of the locked call's site: the one bound there, else the calling thread's (made if needed), then
    /// bound there for the fast paths.
    /// </summary>
    private ThreadMagazine BindLocked(nuint site)
    {
        ThreadMagazine? magazine = _windows.Find(site);
        if (magazine is null)
        {
            magazine = _rack.For(Environment.CurrentManagedThreadId);
            _windows.Bind(site, magazine);
        }
        return magazine;
    }

    /// <summary>Gives the <paramref name="n"/> oldest blocks of a class back to their slabs; stops at the first whose slab is damaged. Returns how many went back.</summary>
    private static int FlushOldest(PoolCore<MagazineCache> core, ThreadMagazine magazine, int sizeClass, int n)
    {
        int returned = 0;
        while (returned < n && core.ReleaseCachedLocked(magazine.Oldest(sizeClass, returned)))
            returned++;
        magazine.RemoveOldest(sizeClass, returned);
        return returned;
    }
}
