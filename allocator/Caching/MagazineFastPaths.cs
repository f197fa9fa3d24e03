using System.Runtime.CompilerServices;
using AreaMalloc.Format;
using AreaMalloc.Hardening;
using AreaMalloc.Slabs;

namespace AreaMalloc.Caching;

/// <summary>
/// The lock-free paths of a caching pool: malloc, free and realloc of small blocks through the magazine bound to the
/// call's stack window (<see cref="StackWindows"/>). Each enters its magazine (<see cref="ThreadMagazine.TryEnter"/>),
/// which excludes every other thread and every locked section, and touches only that magazine and the blocks it hands
/// out or takes in. Whatever a path declines (it returns 0 or false with nothing changed) the pool's locked path
/// decides, refuses or counts. Read-only towards the pool's metadata: it reads the page map, a slab's header and the
/// live map, all written only under the lock with every magazine stopped, so what is read here stays valid while the
/// magazine is entered.
/// </summary>
internal readonly unsafe struct MagazineFastPaths
{
    private readonly byte* _base;
    private readonly ulong _heapStart, _heapEnd;
    private readonly PageMap _pageMap;
    private readonly LiveMap _liveMap;
    private readonly SlabHeap _slabs;
    private readonly HeapGuard _guard;
    private readonly StackWindows _windows;
    private readonly CacheMark _mark;

    /// <summary>The fast paths over the pool whose area starts at <paramref name="areaBase"/>, with heap [<paramref name="heapStart"/>, <paramref name="heapEnd"/>).</summary>
    public MagazineFastPaths(byte* areaBase, ulong heapStart, ulong heapEnd, PageMap pageMap, LiveMap liveMap, SlabHeap slabs, HeapGuard guard, StackWindows windows, CacheMark mark)
    {
        _base = areaBase;
        _heapStart = heapStart;
        _heapEnd = heapEnd;
        _pageMap = pageMap;
        _liveMap = liveMap;
        _slabs = slabs;
        _guard = guard;
        _windows = windows;
        _mark = mark;
    }

    /// <summary>
    /// Fast malloc of a small size: the newest cached block of its class from the magazine bound to the window of
    /// <paramref name="stack"/>, or 0 (take the lock) when none is bound there, it is stopped or in use, the class is
    /// empty or the pool met damage.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryMalloc(nuint size, nuint stack)
    {
        ThreadMagazine? magazine = _windows.Find(stack);
        if (magazine is null || !magazine.TryEnter())
            return 0;
        // The point sits inside the magazine, before the pop: a locked section racing it must wait (see ThreadMagazine.Stop).
        Interleaving.At(InterleavingPoint.FreeListPop);
        ulong offset = _guard.Damaged ? 0 : magazine.Pop(SizeClasses.ClassOf(size));
        if (offset != 0)
            _mark.Clear(offset);
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
    public bool TryFree(nint block, nuint stack)
    {
        ThreadMagazine? magazine = _windows.Find(stack);
        if (magazine is null || !magazine.TryEnter())
            return false;
        bool cached = false;
        ulong offset = (ulong)((nuint)block - (nuint)_base);
        uint slab = SlabOf(offset);
        if (slab != 0)
        {
            int sizeClass = _slabs.Slab(slab)->SizeClass;
            if (magazine.Count(sizeClass) < ThreadMagazine.Capacity(sizeClass) && _liveMap.IsSetNow(offset) && _mark.TryClaim(offset))
            {
                // Between the claim and the push the block is in no list: a locked section must not run here.
                Interleaving.At(InterleavingPoint.FreeListPush);
                magazine.Push(sizeClass, offset);
                cached = true;
            }
        }
        magazine.Exit();
        return cached;
    }

    /// <summary>
    /// Fast realloc of the block at <paramref name="block"/> to <paramref name="size"/> (1 to
    /// <see cref="SizeClasses.MaxSmallSize"/> bytes). When the size keeps the block's class, the block itself. Otherwise
    /// a cached block of the new class, with the first min(old usable, <paramref name="size"/>) bytes copied, and the old
    /// block cached in its place (the pool's statistics count both as in use, so they do not change).
    /// 0, with nothing changed, when the fast path cannot decide; then the locked path decides, refuses or counts: no
    /// magazine here or stopped, damage met before, a pointer the fast free would not take, a block that is not live,
    /// no cached block of the new class, or no room for the old block in its class.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryRealloc(nint block, nuint size, nuint stack)
    {
        ThreadMagazine? magazine = _windows.Find(stack);
        if (magazine is null || !magazine.TryEnter())
            return 0;
        // The point sits inside the magazine, before the pop: a locked section racing it must wait (see ThreadMagazine.Stop).
        Interleaving.At(InterleavingPoint.FreeListPop);
        nint result = 0;
        ulong offset = (ulong)((nuint)block - (nuint)_base);
        uint slab = _guard.Damaged ? 0 : SlabOf(offset);
        if (slab != 0)
        {
            SlabHeader* header = _slabs.Slab(slab);
            int oldClass = header->SizeClass, newClass = SizeClasses.ClassOf(size);
            if (oldClass == newClass)
                result = _liveMap.IsSetNow(offset) && !_mark.IsSet(offset) ? block : 0;
            else if (magazine.Count(oldClass) < ThreadMagazine.Capacity(oldClass))
                result = MoveCached(magazine, offset, header->ObjectSize, oldClass, newClass, size);
        }
        magazine.Exit();
        return result;
    }

    /// <summary>
    /// The move of <see cref="TryRealloc"/>, inside the magazine, with room for the old class: takes the newest cached
    /// block of <paramref name="newClass"/>, copies the old block into it, then claims the old block (the cache mark
    /// over its first bytes, copied before) and caches it. 0 with the magazine as it was when the class is
    /// empty or the old block was not the program's (not live, or cached, or freed by another thread first).
    /// </summary>
    private nint MoveCached(ThreadMagazine magazine, ulong offset, uint oldSize, int oldClass, int newClass, nuint size)
    {
        if (!_liveMap.IsSetNow(offset))
            return 0;
        ulong moved = magazine.Pop(newClass);
        if (moved == 0)
            return 0;
        // The new block's first word is cleared before the copy, which may be shorter than a word.
        _mark.Clear(moved);
        Buffer.MemoryCopy(_base + offset, _base + moved, (long)size, (long)Math.Min(oldSize, (ulong)size));
        if (!_mark.TryClaim(offset))
        {
            // Cached, or freed by another thread first: the locked path refuses and counts it. The new block goes back, marked.
            _mark.Set(moved);
            magazine.Push(newClass, moved);
            return 0;
        }
        // Between the claim and the push the old block is in no list: a locked section must not run here.
        Interleaving.At(InterleavingPoint.FreeListPush);
        magazine.Push(oldClass, offset);
        return (nint)(_base + moved);
    }

    /// <summary>
    /// The slab a fast path may find an object of at <paramref name="offset"/>, or 0: the offset is inside the heap,
    /// granule-aligned, on a slab page whose header has its magic. (Whether an object starts there and is live is the
    /// live bit's to say: it is set only on the start of a live or cached object; the cache mark tells the two apart.)
    /// Call inside the magazine: a slab is released only under the lock with every magazine stopped, so the header read
    /// here stays the slab's own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint SlabOf(ulong offset)
    {
        // One unsigned compare for both bounds: below the heap wraps to a huge value.
        // Stryker disable once Equality,Arithmetic : a looser bound lets in only pages with no slab (docs/MUTATION.md#fast-path-bound)
        if (offset - _heapStart >= _heapEnd - _heapStart || !Granules.IsAligned(offset))
            return 0;
        uint slab = _pageMap.SlabAt(offset);
        return slab != 0 && _slabs.HasMagic(slab) ? slab : 0;
    }
}
