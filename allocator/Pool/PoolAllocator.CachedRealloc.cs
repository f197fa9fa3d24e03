using System.Runtime.CompilerServices;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>
/// The lock-free realloc of a caching pool (<see cref="PoolCaching.ThreadMagazines"/>): a live slab object resized to
/// a small size through the magazine bound to the calling frame's stack window (<see cref="StackWindows"/>). Everything
/// else, and whatever this path declines, takes the lock.
/// </summary>
public sealed unsafe partial class PoolAllocator
{
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
    private nint ReallocCached(nint block, nuint size)
    {
        ThreadMagazine? magazine = _windows!.Find(StackWindows.CurrentStackAddress());
        if (magazine is null || !magazine.TryEnter())
            return 0;
        // The point sits inside the magazine, before the pop: a locked section racing it must wait (see ThreadMagazine.Stop).
        Interleaving.At(InterleavingPoint.FreeListPop);
        nint result = 0;
        ulong offset = (ulong)((nuint)block - (nuint)_base);
        uint slab = _guard.Damaged ? 0 : FastSlabOf(offset);
        if (slab != 0)
        {
            SlabHeader* header = new SlabHeap(_base, _guard).Slab(slab);
            int oldClass = header->SizeClass, newClass = SizeClasses.ClassOf(size);
            if (oldClass == newClass)
                result = IsLiveNow(offset) && !IsMarked(offset) ? block : 0;
            else if (magazine.Count(oldClass) < ThreadMagazine.Capacity(oldClass))
                result = MoveCached(magazine, offset, header->ObjectSize, oldClass, newClass, size);
        }
        magazine.Exit();
        return result;
    }

    /// <summary>
    /// The move of <see cref="ReallocCached"/>, inside the magazine, with room for the old class: takes the newest cached
    /// block of <paramref name="newClass"/>, copies the old block into it, then claims the old block (the cache mark
    /// over its first bytes, copied before) and caches it. 0 with the magazine as it was when the class is
    /// empty or the old block was not the program's (not live, or cached, or freed by another thread first).
    /// </summary>
    private nint MoveCached(ThreadMagazine magazine, ulong offset, uint oldSize, int oldClass, int newClass, nuint size)
    {
        if (!IsLiveNow(offset))
            return 0;
        ulong moved = magazine.Pop(newClass);
        if (moved == 0)
            return 0;
        // The new block's first word is cleared before the copy, which may be shorter than a word.
        Unmark(moved);
        Buffer.MemoryCopy(_base + offset, _base + moved, (long)size, (long)Math.Min(oldSize, (ulong)size));
        if (!TryMark(offset))
        {
            // Cached, or freed by another thread first: the locked path refuses and counts it. The new block goes back, marked.
            Mark(moved);
            magazine.Push(newClass, moved);
            return 0;
        }
        // Between the claim and the push the old block is in no list: a locked section must not run here.
        Interleaving.At(InterleavingPoint.FreeListPush);
        magazine.Push(oldClass, offset);
        return (nint)(_base + moved);
    }

    /// <summary>The live bit of <paramref name="offset"/>, read once (only locked sections, which stop every magazine first, change the live map).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsLiveNow(ulong offset)
    {
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>
        ulong bit = offset >> LargeBlocks.TlsfMapping.GranuleLog2;
        return (Volatile.Read(ref LiveMap[bit / 64]) & (1UL << (int)(bit & 63))) != 0;
    }
}
