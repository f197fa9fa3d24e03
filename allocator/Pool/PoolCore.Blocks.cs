using System.Runtime.CompilerServices;
using AreaMalloc.Format;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>
/// The locked building blocks of the core: taking a block from a heap and handing it out, giving one back, resizing.
/// Every method here runs holding the pool's lock with the cache stopped. Accounting invariant: a block handed out
/// (or cached) has its live bit set and is counted in LiveBlocks and BytesInUse by its usable size; giving it back
/// clears both, in the same method.
/// </summary>
internal sealed unsafe partial class PoolCore<TCache>
{
    /// <summary>
    /// Allocates at least max(size, 1) bytes: from a slab when the size has a class, else (or when no slab can be
    /// had) from the large-block heap. When the heap is short, spare slabs are released and the request retried,
    /// so a spare never makes a request fail. Returns the block's offset (0 on failure, which the caller counts) and its usable size.
    /// Damage met on the way (reported to the guard) ends the request at once with 0: nothing else is tried.
    /// </summary>
    private ulong AllocateLocked(nuint size, out ulong usable)
    {
        if (size <= SizeClasses.MaxSmallSize)
        {
            int sizeClass = SizeClasses.ClassOf(size);
            ulong obj = _slabs.Allocate(sizeClass);
            if (obj == 0 && !_guard.Damaged && _slabs.SpareSlabCount != 0 && _slabs.ReleaseSpares() != 0)
                obj = _slabs.Allocate(sizeClass);
            if (obj != 0)
            {
                usable = (ulong)SizeClasses.SizeOf(sizeClass);
                return Handout(obj, usable);
            }
            if (_guard.Damaged)
            {
                usable = 0;
                return 0;
            }
        }
        return AllocateLargeLocked(size, out usable);
    }

    /// <summary>The large-block half of <see cref="AllocateLocked"/>.</summary>
    private ulong AllocateLargeLocked(nuint size, out ulong usable)
    {
        ulong blockSize = LargeBlockSize(size);
        ulong block = blockSize == 0 ? 0 : _large.Allocate(blockSize);
        if (block == 0 && blockSize != 0 && !_guard.Damaged && _slabs.SpareSlabCount != 0 && _slabs.ReleaseSpares() != 0)
            block = _large.Allocate(blockSize);
        if (block == 0)
        {
            usable = 0;
            return 0;
        }
        // The block may be up to 16 bytes larger than asked when the rest was too small to split off.
        usable = _large.PayloadBytes(block);
        return Handout(BlockFormat.PayloadOf(block), usable);
    }

    /// <summary>
    /// <see cref="AllocateLocked"/>, and when it fails, once more after the cache was drained (its blocks may fill the
    /// slabs, or hold slabs the large-block heap needs).
    /// </summary>
    private ulong AllocateOrDrainLocked(nuint size, out ulong usable)
    {
        ulong offset = AllocateLocked(size, out usable);
        // Stryker disable once Equality : a retry after an empty drain fails as the first attempt did (docs/MUTATION.md#same-outcome)
        if (offset == 0 && !_guard.Damaged && _cache.Drain(this) > 0)
            offset = AllocateLocked(size, out usable);
        return offset;
    }

    /// <summary>The large block (header included) that holds max(size, 1) bytes, or 0 when no block could.</summary>
    private static ulong LargeBlockSize(nuint size)
    {
        if ((ulong)size > TlsfMapping.MaxBlockSize - BlockFormat.HeaderBytes)
            return 0;
        ulong payload = Granules.RoundUp(Math.Max(size, 1));
        return Math.Max(payload + BlockFormat.HeaderBytes, LargeBlockHeap.MinBlockSize);
    }

    /// <summary>The block at <paramref name="offset"/> of <paramref name="usable"/> bytes is handed out: live and counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Handout(ulong offset, ulong usable)
    {
        _liveMap.Set(offset);
        Header->LiveBlocks++;
        Header->BytesInUse += usable;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        return offset;
    }

    /// <summary>One object of class <paramref name="sizeClass"/> from the slabs, handed out (live and counted; a cache takes it in), or 0 (no slab could be had, or damage met).</summary>
    internal ulong TakeObjectLocked(int sizeClass)
    {
        ulong obj = _slabs.Allocate(sizeClass);
        return obj == 0 ? 0 : Handout(obj, (ulong)SizeClasses.SizeOf(sizeClass));
    }

    /// <summary>Frees the live block at <paramref name="offset"/> (already found live) to its heap, bypassing any cache; false (nothing changed, damage recorded) when its metadata or neighbourhood is damaged.</summary>
    private bool FreeBlockLocked(ulong offset)
    {
        uint slab = _pageMap.SlabAt(offset);
        return slab != 0 ? ReleaseSmallLocked(offset, slab) : FreeLargeLocked(offset);
    }

    /// <summary>True when the live block at <paramref name="offset"/> could be freed now (the checks of <see cref="FreeBlockLocked"/>, changing nothing).</summary>
    private bool CanFreeLocked(ulong offset)
    {
        uint slab = _pageMap.SlabAt(offset);
        return slab != 0 ? _slabs.CanFree(slab) : _large.CanFree(BlockFormat.HeaderOf(offset), slab: false);
    }

    /// <summary>
    /// Gives the live (or cached) slab object at <paramref name="offset"/> of slab <paramref name="slab"/> back to its
    /// slab: no longer live, no longer counted. False (nothing changed, damage recorded) when the slab (or, if it empties,
    /// the heap around it) is damaged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReleaseSmallLocked(ulong offset, uint slab)
    {
        if (!_slabs.CanFree(slab))
            return false;
        _liveMap.Clear(offset);
        Header->LiveBlocks--;
        Header->BytesInUse -= _slabs.Slab(slab)->ObjectSize;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        _slabs.Free(offset, slab);
        return true;
    }

    /// <summary>A cached block goes back to its slab (<see cref="ReleaseSmallLocked"/>, its slab found by the page map).</summary>
    internal bool ReleaseCachedLocked(ulong offset) => ReleaseSmallLocked(offset, _pageMap.SlabAt(offset));

    /// <summary>Frees the live large block whose payload is at <paramref name="offset"/>; false when its header or a neighbour is damaged.</summary>
    private bool FreeLargeLocked(ulong offset)
    {
        ulong block = BlockFormat.HeaderOf(offset);
        if (!_large.CanFree(block, slab: false))
            return false;
        _liveMap.Clear(offset);
        Header->LiveBlocks--;
        Header->BytesInUse -= _large.PayloadBytes(block);
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        _large.Free(block);
        return true;
    }

    /// <summary>The usable bytes of the live block at <paramref name="offset"/>.</summary>
    private ulong UsableSizeLocked(ulong offset)
    {
        uint slab = _pageMap.SlabAt(offset);
        return slab != 0 ? _slabs.Slab(slab)->ObjectSize : _large.PayloadBytes(BlockFormat.HeaderOf(offset));
    }

    /// <summary>
    /// Resizes the live block at <paramref name="offset"/> (already checked) to <paramref name="size"/> (> 0) bytes:
    /// in place when it can (a slab object whose class does not change; a large block that shrinks, or grows into a free
    /// successor), else by moving it. Damage met around the block, or while finding room to move it, gives 0 with the
    /// old block intact.
    /// </summary>
    private nint ResizeLocked(ulong offset, nuint size)
    {
        ulong usable = UsableSizeLocked(offset);
        if (_pageMap.SlabAt(offset) != 0)
        {
            // A slab object stays where it is while the new size has the same class.
            if (size <= SizeClasses.MaxSmallSize && SizeClasses.SizeOf(SizeClasses.ClassOf(size)) == (int)usable)
                return (nint)(_base + offset);
        }
        else
        {
            ulong blockSize = LargeBlockSize(size);
            ResizeOutcome resized = blockSize == 0 ? ResizeOutcome.NoRoom : _large.TryResize(BlockFormat.HeaderOf(offset), blockSize);
            if (resized == ResizeOutcome.Resized)
            {
                Header->BytesInUse = Header->BytesInUse - usable + UsableSizeLocked(offset);
                Interleaving.At(InterleavingPoint.StatisticsUpdate);
                return (nint)(_base + offset);
            }
        }
        // Moving frees the old block: check that it can be freed before anything is allocated.
        ulong moved = !_guard.Damaged && CanFreeLocked(offset) ? AllocateOrDrainLocked(size, out _) : 0;
        if (moved == 0)
        {
            // No room to move: a shrink may still stay in place, since the block already holds the new size.
            if ((ulong)size <= usable && !_guard.Damaged)
                return (nint)(_base + offset);
            Header->FailedAllocations++;
            return 0;
        }
        Buffer.MemoryCopy(_base + offset, _base + moved, (long)usable, (long)Math.Min(usable, (ulong)size));
        FreeBlockLocked(offset);
        return (nint)(_base + moved);
    }
}
