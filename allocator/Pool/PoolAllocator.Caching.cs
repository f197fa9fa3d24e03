using System.Runtime.CompilerServices;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Pool;

/// <summary>
/// Per-thread magazines (<see cref="PoolCaching.ThreadMagazines"/>): the lock-free fast paths of malloc and free, and
/// the locked refill, flush and drain. The other paths reach these only when <see cref="_rack"/> is set.
/// </summary>
public sealed unsafe partial class PoolAllocator
{
    /// <summary>The pool's magazines, or null when the pool does not cache.</summary>
    private readonly MagazineRack? _rack;

    /// <summary>
    /// The word every block a magazine holds carries in its first 8 bytes (<see cref="Hardening.HeapKeys.CacheMark"/>);
    /// set with <see cref="_rack"/>. A cached block stays live in the live map: the mark, not a live bit, tells a fast free that
    /// a block is cached, so the fast paths never write the live map, whose words other threads' blocks share.
    /// </summary>
    private readonly ulong _cacheMark;

    /// <summary>Which magazine a call made from a stack window uses; set with <see cref="_rack"/>.</summary>
    private readonly StackWindows? _windows;

    /// <summary>The stack address of the call that holds the lock, for <see cref="BindLocked"/>; written under the lock by the quiesced malloc and free.</summary>
    private nuint _lockedCallStack;

    /// <summary>Nesting depth of <see cref="Quiesce"/> (a scope opened inside another leaves the magazines stopped); touched under the lock.</summary>
    private int _quiesceDepth;

    /// <summary>The caching chosen at creation (<see cref="PoolCaching.None"/> when poison hardening overrode it).</summary>
    public PoolCaching Caching => _rack is null ? PoolCaching.None : PoolCaching.ThreadMagazines;

    /// <summary>The word a block in a magazine carries in its first 8 bytes (internal: the tests write it into a live block); 0 when the pool does not cache.</summary>
    internal ulong CacheMark => _cacheMark;

    /// <summary>The pool's lock (internal: the tests hold it to show that the magazine fast paths never take it).</summary>
    internal PoolLock Lock => _lock;

    /// <summary>
    /// The magazine of this pool that the calling thread's calls use, or null (internal: the tests hold it Busy, as a
    /// fast path in flight). Looked up from the caller's frame and, when nothing is bound there, the next window up: a
    /// call made from the caller may have bound the window of its own frame, which lies below the caller's.
    /// </summary>
    internal ThreadMagazine? CurrentThreadMagazine
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        get
        {
            nuint stack = StackWindows.CurrentStackAddress();
            // Stryker disable once Arithmetic,NullCoalescing : the second look serves only a caller whose frame sits just above a window boundary
            return _windows?.Find(stack) ?? _windows?.Find(stack + StackWindows.WindowBytes);
        }
    }

    /// <summary>
    /// Binds the window of <paramref name="stack"/> to <paramref name="magazine"/>, as a locked call made from there
    /// would (internal: the tests route a thread's calls to another thread's magazine, as a straddling window or a
    /// reused stack does).
    /// </summary>
    internal void BindWindow(nuint stack, ThreadMagazine magazine)
    {
        using (_lock.Hold())
            _windows!.Bind(stack, magazine);
    }

    /// <summary>How many freed blocks wait in the pool's magazines, over all threads (internal: the tests check where blocks are).</summary>
    internal int CachedBlocks
    {
        get
        {
            using (_lock.Hold())
            {
                using QuiescedScope quiet = Quiesce();
                int cached = 0;
                if (_rack is not null)
                    foreach (ThreadMagazine magazine in _rack.All)
                        for (int c = 0; c < SizeClasses.Count; c++)
                            cached += magazine.Count(c);
                return cached;
            }
        }
    }

    /// <summary><see cref="Malloc"/> in a caching pool: the magazine of the call's stack window, else the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint MallocCaching(nuint size)
    {
        // One stack address per call, so that the fast path and the locked one use the same window's magazine.
        nuint stack = StackWindows.CurrentStackAddress();
        if (size <= SizeClasses.MaxSmallSize)
        {
            nint cached = MallocCached(size, stack);
            if (cached != 0)
                return cached;
        }
        return MallocQuiesced(size, stack);
    }

    /// <summary>The locked malloc of a caching pool (out of line, so that the fast path stays small).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint MallocQuiesced(nuint size, nuint stack)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            _lockedCallStack = stack;
            return MallocUnderLock(size);
        }
    }

    /// <summary><see cref="Free"/> of a non-NULL block in a caching pool: into the magazine of the call's stack window, else under the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BlockCheck FreeCaching(nint block)
    {
        nuint stack = StackWindows.CurrentStackAddress();
        return FreeCached(block, stack) ? BlockCheck.Live : FreeQuiesced(block, stack);
    }

    /// <summary>The locked free of a caching pool (out of line, so that the fast path stays small).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private BlockCheck FreeQuiesced(nint block, nuint stack)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            _lockedCallStack = stack;
            return FreeUnderLock(block);
        }
    }

    /// <summary>
    /// Fast malloc: the newest cached block of the class from the magazine bound to the window of
    /// <paramref name="stack"/>, or 0 (take the lock) when none is bound there, it is stopped or in use, the class is
    /// empty or the pool met damage.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint MallocCached(nuint size, nuint stack)
    {
        ThreadMagazine? magazine = _windows!.Find(stack);
        if (magazine is null || !magazine.TryEnter())
            return 0;
        // The point sits inside the magazine, before the pop: a locked section racing it must wait (see ThreadMagazine.Stop).
        Interleaving.At(InterleavingPoint.FreeListPop);
        ulong offset = _guard.Damaged ? 0 : magazine.Pop(SizeClasses.ClassOf(size));
        if (offset != 0)
            Unmark(offset);
        magazine.Exit();
        return offset == 0 ? 0 : (nint)(_base + offset);
    }

    /// <summary>
    /// Fast free: true when <paramref name="block"/> was a live object of an intact slab and is now in the magazine
    /// bound to the window of <paramref name="stack"/>. False, with nothing changed, for anything else (then the locked
    /// path decides and counts): no magazine bound there, or stopped or in use, a pointer outside the heap, misaligned,
    /// not on a slab page, a slab header failing its magic, a full class, a live bit clear (freed to its slab, or never
    /// handed out), or a block that carries the cache mark (cached already, or freed by another thread first; or, by a
    /// 2^-64 chance, a live block holding the mark's bytes, which the locked path then frees).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool FreeCached(nint block, nuint stack)
    {
        ThreadMagazine? magazine = _windows!.Find(stack);
        if (magazine is null || !magazine.TryEnter())
            return false;
        bool cached = false;
        ulong offset = (ulong)((nuint)block - (nuint)_base);
        uint slab = FastSlabOf(offset);
        if (slab != 0)
        {
            int sizeClass = new SlabHeap(_base, _guard).Slab(slab)->SizeClass;
            if (magazine.Count(sizeClass) < ThreadMagazine.Capacity(sizeClass) && IsLiveNow(offset) && TryMark(offset))
            {
                // Between the mark and the push the block is in no list: a locked section must not run here.
                Interleaving.At(InterleavingPoint.FreeListPush);
                magazine.Push(sizeClass, offset);
                cached = true;
            }
        }
        magazine.Exit();
        return cached;
    }

    /// <summary>
    /// The slab a fast path may find an object of at <paramref name="offset"/>, or 0: the offset is inside the heap,
    /// granule-aligned, on a slab page whose header has its magic. (Whether an object starts there and is live is the
    /// live bit's to say: it is set only on the start of a live or cached object; the cache mark tells the two apart.)
    /// Call inside the magazine: a slab is released only under the lock with every magazine stopped, so the header read
    /// here stays the slab's own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint FastSlabOf(ulong offset)
    {
        // One unsigned compare for both bounds: below the heap wraps to a huge value.
        // Stryker disable once Equality,Arithmetic : a bound at or past the sentinel (> or _heapEnd + _heapStart) lets in offsets on pages
        // that hold no slab (the sentinel's, the page map's tail): their page-map entry is 0, so the fast path declines the same
        if (offset - _heapStart >= _heapEnd - _heapStart || (offset & (LargeBlocks.TlsfMapping.Granule - 1)) != 0)
            return 0;
        uint slab = _pageMap[offset / B_PAGE_SIZE];
        return slab != 0 && new SlabHeap(_base, _guard).HasMagic(slab) ? slab : 0;
    }

    /// <summary>
    /// The claim of a fast path on the live, unmarked block at <paramref name="offset"/>: writes the cache mark over its
    /// first 8 bytes with a compare-exchange from what they held, and says whether it did. Of the threads freeing one
    /// block at once exactly one succeeds: the others read the mark, or fail the exchange. The word is the block's own
    /// (no other block's metadata shares it), so the exchange contends only where the program races on the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryMark(ulong offset)
    {
        ref ulong word = ref *(ulong*)(_base + offset);
        ulong held = Volatile.Read(ref word);
        return held != _cacheMark && Interlocked.CompareExchange(ref word, _cacheMark, held) == held;
    }

    /// <summary>A block the magazine owns alone enters it: its first word carries the cache mark. Call inside the magazine, or quiesced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Mark(ulong offset) => *(ulong*)(_base + offset) = _cacheMark;

    /// <summary>A block leaves a magazine (handed out): its first word no longer carries the cache mark. Call inside the magazine, or quiesced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unmark(ulong offset) => *(ulong*)(_base + offset) = 0;

    /// <summary>Whether the block at <paramref name="offset"/> carries the cache mark (it may be cached; a live block holds the mark only by chance).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsMarked(ulong offset) => Volatile.Read(ref *(ulong*)(_base + offset)) == _cacheMark;

    /// <summary>
    /// Whether a magazine holds the block at <paramref name="offset"/>: it carries the cache mark and some magazine
    /// lists it (looked for only when marked, so the check of a live block costs one compare; the search reads no slab
    /// header, so it answers alike when the block's slab is damaged). Call quiesced, in a caching pool.
    /// </summary>
    private bool IsCachedLocked(ulong offset) => IsMarked(offset) && _rack!.Holds(offset);

    /// <summary>Stops every magazine until the scope ends; the locked code inside it runs beside no fast path. Call under the lock.</summary>
    private QuiescedScope Quiesce()
    {
        if (_rack is not null && _quiesceDepth++ == 0)
            _rack.StopAll();
        return new QuiescedScope(this);
    }

    /// <summary>Resumes the magazines when the outermost <see cref="Quiesce"/> ends.</summary>
    private readonly ref struct QuiescedScope(PoolAllocator pool)
    {
        public void Dispose()
        {
            if (pool._rack is not null && --pool._quiesceDepth == 0)
                pool._rack.ResumeAll();
        }
    }

    /// <summary>
    /// The magazine of the locked call's stack window (<see cref="_lockedCallStack"/>): the one bound there, else the
    /// calling thread's (made if needed), then bound there for the fast paths. Call quiesced.
    /// </summary>
    private ThreadMagazine BindLocked()
    {
        ThreadMagazine? magazine = _windows!.Find(_lockedCallStack);
        if (magazine is null)
        {
            magazine = _rack!.For(Environment.CurrentManagedThreadId);
            _windows.Bind(_lockedCallStack, magazine);
        }
        return magazine;
    }

    /// <summary>The locked malloc of a caching pool: a small size from the thread's magazine, else (or when no slab object could be had) any block, after draining every magazine if needed.</summary>
    private ulong MallocCachingLocked(nuint size)
    {
        ulong offset = size <= SizeClasses.MaxSmallSize ? MallocFromMagazineLocked(size) : 0;
        return offset == 0 && !_guard.Damaged ? AllocateOrDrainLocked(size, out _) : offset;
    }

    /// <summary>
    /// The locked malloc of a small size in a caching pool: a block from the thread's magazine, refilled with half its
    /// capacity from the slabs when empty. 0 when no slab object could be had (the caller then tries a large block).
    /// </summary>
    private ulong MallocFromMagazineLocked(nuint size)
    {
        int sizeClass = SizeClasses.ClassOf(size);
        ThreadMagazine magazine = BindLocked();
        if (magazine.Count(sizeClass) == 0)
        {
            var slabs = new SlabHeap(_base, _guard);
            ulong usable = (ulong)SizeClasses.SizeOf(sizeClass);
            for (int i = ThreadMagazine.Capacity(sizeClass) / 2; i > 0; i--)
            {
                ulong obj = slabs.Allocate(sizeClass);
                if (obj == 0)
                    break;
                // Live and counted as in use by the header, as every cached block is, and marked as cached.
                SetLive(obj, true);
                H->LiveBlocks++;
                H->BytesInUse += usable;
                Mark(obj);
                magazine.Push(sizeClass, obj);
            }
        }
        ulong offset = magazine.Pop(sizeClass);
        if (offset != 0)
            Unmark(offset);
        return offset;
    }

    /// <summary>
    /// The locked free of the live object at <paramref name="offset"/> of slab <paramref name="slab"/> in a caching
    /// pool: into the thread's magazine, after half of a full class went back to the slabs. False (nothing changed,
    /// damage recorded) when the slab header fails its magic or the class stays full and the direct free meets damage.
    /// </summary>
    private bool FreeIntoMagazineLocked(ulong offset, uint slab)
    {
        var slabs = new SlabHeap(_base, _guard);
        if (!slabs.IsIntact(slab))
            return false;
        int sizeClass = slabs.Slab(slab)->SizeClass;
        ThreadMagazine magazine = BindLocked();
        if (magazine.Count(sizeClass) == ThreadMagazine.Capacity(sizeClass))
            FlushOldestLocked(magazine, sizeClass, magazine.Count(sizeClass) / 2);
        if (magazine.Count(sizeClass) == ThreadMagazine.Capacity(sizeClass))
            return FreeSmallLocked(offset, slab);
        Mark(offset);
        magazine.Push(sizeClass, offset);
        return true;
    }

    /// <summary>Gives the <paramref name="n"/> oldest blocks of a class back to their slabs; stops at the first whose slab is damaged. Returns how many went back.</summary>
    private int FlushOldestLocked(ThreadMagazine magazine, int sizeClass, int n)
    {
        int returned = 0;
        while (returned < n && ReturnCachedLocked(magazine.Oldest(sizeClass, returned)))
            returned++;
        magazine.RemoveOldest(sizeClass, returned);
        return returned;
    }

    /// <summary>
    /// Returns every cached block of every magazine to its slab, so the slabs, lists and statistics are those of an
    /// uncached pool. Call quiesced. A pool that met damage drains nothing (a drain would meet the damage again and
    /// count it once more), and a block whose slab (or the heap around it) proves damaged stays cached. Returns how many went back.
    /// </summary>
    private int DrainMagazinesLocked()
    {
        if (_rack is null || _guard.Damaged)
            return 0;
        int returned = 0;
        foreach (ThreadMagazine magazine in _rack.All)
            for (int c = 0; c < SizeClasses.Count; c++)
                returned += FlushOldestLocked(magazine, c, magazine.Count(c));
        return returned;
    }

    /// <summary>A cached block goes back to its slab, no longer live; false (nothing changed, damage recorded) when the slab cannot take it.</summary>
    private bool ReturnCachedLocked(ulong offset)
    {
        uint slab = _pageMap[offset / B_PAGE_SIZE];
        var slabs = new SlabHeap(_base, _guard);
        if (!slabs.CanFree(slab))
            return false;
        SetLive(offset, false);
        H->LiveBlocks--;
        H->BytesInUse -= slabs.Slab(slab)->ObjectSize;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        slabs.Free(offset, slab);
        return true;
    }

    /// <summary>
    /// <see cref="AllocateLocked"/>, and when it fails in a caching pool, once more after every magazine was drained
    /// (their blocks may fill the slabs, or hold slabs the large-block heap needs). Call quiesced.
    /// </summary>
    private ulong AllocateOrDrainLocked(nuint size, out ulong usable)
    {
        ulong offset = AllocateLocked(size, out usable);
        // Stryker disable once Equality : with >= 0 the retry also runs when nothing was drained; it fails as the first attempt did (nothing changed in between): the same outcome
        if (offset == 0 && !_guard.Damaged && DrainMagazinesLocked() > 0)
            offset = AllocateLocked(size, out usable);
        return offset;
    }
}
