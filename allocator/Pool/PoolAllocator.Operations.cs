using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// </summary>
    private ulong AllocateLocked(nuint size, out ulong usable)
    {
        if (size <= SizeClasses.MaxSmallSize)
        {
            int sizeClass = SizeClasses.ClassOf(size);
            var slabs = new SlabHeap(_base);
            ulong obj = slabs.Allocate(sizeClass);
            if (obj == 0 && H->SpareSlabCount != 0 && slabs.ReleaseSpares() != 0)
                obj = slabs.Allocate(sizeClass);
            if (obj != 0)
            {
                usable = (ulong)SizeClasses.SizeOf(sizeClass);
                return Handout(obj, usable);
            }
        }
        return AllocateLargeLocked(size, out usable);
    }

    /// <summary>The large-block half of <see cref="AllocateLocked"/>.</summary>
    private ulong AllocateLargeLocked(nuint size, out ulong usable)
    {
        ulong blockSize = LargeBlockSize(size);
        var large = new LargeBlockHeap(_base);
        ulong block = blockSize == 0 ? 0 : large.Allocate(blockSize);
        if (block == 0 && blockSize != 0 && H->SpareSlabCount != 0 && new SlabHeap(_base).ReleaseSpares() != 0)
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

    /// <summary>Frees the live block at <paramref name="offset"/> (already checked).</summary>
    private void FreeLocked(ulong offset)
    {
        uint slab = _pageMap[offset / Be.BeConstants.B_PAGE_SIZE];
        if (slab != 0)
            FreeSmallLocked(offset, slab);
        else
            FreeLargeLocked(offset);
    }

    /// <summary>Frees the live slab object at <paramref name="offset"/> of slab <paramref name="slab"/> (already checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreeSmallLocked(ulong offset, uint slab)
    {
        var slabs = new SlabHeap(_base);
        SetLive(offset, false);
        H->LiveBlocks--;
        H->BytesInUse -= slabs.Slab(slab)->ObjectSize;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        slabs.Free(offset, slab);
    }

    /// <summary>Frees the live large block whose payload is at <paramref name="offset"/> (already checked).</summary>
    private void FreeLargeLocked(ulong offset)
    {
        var large = new LargeBlockHeap(_base);
        SetLive(offset, false);
        H->LiveBlocks--;
        H->BytesInUse -= ((ulong)large.Header(offset - 16)->Size << TlsfMapping.GranuleLog2) - 16;
        Interleaving.At(InterleavingPoint.StatisticsUpdate);
        large.Free(offset - 16);
    }

    private ulong UsableSizeLocked(ulong offset)
    {
        uint slab = _pageMap[offset / Be.BeConstants.B_PAGE_SIZE];
        if (slab != 0)
            return new SlabHeap(_base).Slab(slab)->ObjectSize;
        return ((ulong)new LargeBlockHeap(_base).Header(offset - 16)->Size << TlsfMapping.GranuleLog2) - 16;
    }

    /// <summary>Resizes the live block at <paramref name="offset"/> to <paramref name="size"/> (> 0) bytes.</summary>
    private nint ReallocLocked(ulong offset, nuint size)
    {
        ulong usable = UsableSizeLocked(offset);
        var slabs = new SlabHeap(_base);
        if (slabs.SlabOf(offset) != 0)
        {
            // A slab object stays where it is while the new size has the same class.
            if (size <= SizeClasses.MaxSmallSize && SizeClasses.SizeOf(SizeClasses.ClassOf(size)) == (int)usable)
                return (nint)(_base + offset);
        }
        else
        {
            ulong blockSize = LargeBlockSize(size);
            if (blockSize != 0 && new LargeBlockHeap(_base).TryResize(offset - 16, blockSize))
            {
                ulong resized = UsableSizeLocked(offset);
                H->BytesInUse = H->BytesInUse - usable + resized;
                Interleaving.At(InterleavingPoint.StatisticsUpdate);
                return (nint)(_base + offset);
            }
        }
        ulong moved = AllocateLocked(size, out _);
        if (moved == 0)
        {
            // No room to move: a shrink may still stay in place, since the block already holds the new size.
            if ((ulong)size <= usable)
                return (nint)(_base + offset);
            H->FailedAllocations++;
            return 0;
        }
        Buffer.MemoryCopy(_base + offset, _base + moved, (long)usable, (long)Math.Min(usable, (ulong)size));
        FreeLocked(offset);
        return (nint)(_base + moved);
    }
}
