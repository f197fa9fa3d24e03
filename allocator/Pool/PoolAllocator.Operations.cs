using System.Runtime.CompilerServices;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;

namespace AreaMalloc.Pool;

/// <summary>The allocation paths, called with the pool's lock held.</summary>
public sealed unsafe partial class PoolAllocator
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
            var slabs = new SlabHeap(_base, _guard);
            ulong obj = slabs.Allocate(sizeClass);
            if (obj == 0 && !_guard.Damaged && H->SpareSlabCount != 0 && slabs.ReleaseSpares() != 0)
                obj = slabs.Allocate(sizeClass);
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
        var large = new LargeBlockHeap(_base, _guard);
        ulong block = blockSize == 0 ? 0 : large.Allocate(blockSize);
        if (block == 0 && blockSize != 0 && !_guard.Damaged && H->SpareSlabCount != 0 && new SlabHeap(_base, _guard).ReleaseSpares() != 0)
            block = large.Allocate(blockSize);
        if (block == 0)
        {
            usable = 0;
            return 0;
        }
        // The block may be up to 16 bytes larger than asked when the rest was too small to split off.
        usable = ((ulong)large.Header(block)->Size << TlsfMapping.GranuleLog2) - 16;
        return Handout(block + 16, usable);
    }

    /// <summary>The large block (header included) that holds max(size, 1) bytes, or 0 when no block could.</summary>
    private static ulong LargeBlockSize(nuint size)
    {
        if ((ulong)size > TlsfMapping.MaxBlockSize - 16)
            return 0;
        ulong payload = ((ulong)Math.Max(size, 1) + 15) & ~15UL;
        return Math.Max(payload + 16, LargeBlockHeap.MinBlockSize);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Handout(ulong offset, ulong usable)
    {
        SetLive(offset, true);
        H->LiveBlocks++;
        H->BytesInUse += usable;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        return offset;
    }

    /// <summary>Frees the live block at <paramref name="offset"/> (already found live); false (nothing changed, damage recorded) when its metadata or neighbourhood is damaged.</summary>
    private bool FreeLocked(ulong offset)
    {
        uint slab = _pageMap[offset / Be.BeConstants.B_PAGE_SIZE];
        return slab != 0 ? FreeSmallLocked(offset, slab) : FreeLargeLocked(offset);
    }

    /// <summary>True when the live block at <paramref name="offset"/> could be freed now (the checks of <see cref="FreeLocked"/>, changing nothing).</summary>
    private bool CanFreeLocked(ulong offset)
    {
        uint slab = _pageMap[offset / Be.BeConstants.B_PAGE_SIZE];
        return slab != 0 ? new SlabHeap(_base, _guard).CanFree(slab) : new LargeBlockHeap(_base, _guard).CanFree(offset - 16, slab: false);
    }

    /// <summary>Frees the live slab object at <paramref name="offset"/> of slab <paramref name="slab"/>; false when the slab (or, if it empties, the heap around it) is damaged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool FreeSmallLocked(ulong offset, uint slab)
    {
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

    /// <summary>Frees the live large block whose payload is at <paramref name="offset"/>; false when its header or a neighbour is damaged.</summary>
    private bool FreeLargeLocked(ulong offset)
    {
        var large = new LargeBlockHeap(_base, _guard);
        if (!large.CanFree(offset - 16, slab: false))
            return false;
        SetLive(offset, false);
        H->LiveBlocks--;
        H->BytesInUse -= ((ulong)large.Header(offset - 16)->Size << TlsfMapping.GranuleLog2) - 16;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        large.Free(offset - 16);
        return true;
    }

    private ulong UsableSizeLocked(ulong offset)
    {
        uint slab = _pageMap[offset / Be.BeConstants.B_PAGE_SIZE];
        if (slab != 0)
            return new SlabHeap(_base, _guard).Slab(slab)->ObjectSize;
        return ((ulong)new LargeBlockHeap(_base, _guard).Header(offset - 16)->Size << TlsfMapping.GranuleLog2) - 16;
    }

    /// <summary>
    /// Resizes the live block at <paramref name="offset"/> (already checked) to <paramref name="size"/> (> 0) bytes.
    /// Damage met around the block, or while finding room to move it, gives 0 with the old block intact.
    /// </summary>
    private nint ReallocLocked(ulong offset, nuint size)
    {
        ulong usable = UsableSizeLocked(offset);
        var slabs = new SlabHeap(_base, _guard);
        if (slabs.SlabOf(offset) != 0)
        {
            // A slab object stays where it is while the new size has the same class.
            if (size <= SizeClasses.MaxSmallSize && SizeClasses.SizeOf(SizeClasses.ClassOf(size)) == (int)usable)
                return (nint)(_base + offset);
        }
        else
        {
            ulong blockSize = LargeBlockSize(size);
            ResizeOutcome resized = blockSize == 0 ? ResizeOutcome.NoRoom : new LargeBlockHeap(_base, _guard).TryResize(offset - 16, blockSize);
            if (resized == ResizeOutcome.Resized)
            {
                H->BytesInUse = H->BytesInUse - usable + UsableSizeLocked(offset);
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
            H->FailedAllocations++;
            return 0;
        }
        Buffer.MemoryCopy(_base + offset, _base + moved, (long)usable, (long)Math.Min(usable, (ulong)size));
        FreeLocked(offset);
        return (nint)(_base + moved);
    }
}
