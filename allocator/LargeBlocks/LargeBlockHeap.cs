using System.Numerics;
using System.Runtime.CompilerServices;
using AreaMalloc.Hardening;
using AreaMalloc.Format;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// The coalescing large-block allocator over a pool's heap: TLSF segregated fits (<see cref="TlsfMapping"/>),
/// boundary tags (<see cref="BlockHeader"/>), O(1) allocate and free, immediate coalescing of free neighbours.
/// Block offsets are byte offsets from the area's base; links are granule indices. The caller holds the pool's lock.
/// Invariant: every free block is on exactly the list <see cref="TlsfMapping.MapInsert"/> names for its size,
/// and the bitmaps have a bit set exactly for the non-empty lists.
/// Hardening invariants: every header carries its check word (every write reseals, in the same method); no header is
/// written or followed before it is verified (LargeBlockHeap.Verification.cs), so damage is never resealed; every
/// operation verifies everything it will touch before it changes anything, so a refused operation changes nothing.
/// With poison on, every byte of a free block below the pool's dirty mark, beyond its first
/// <see cref="MinBlockSize"/> bytes (header and links), holds <see cref="PoisonFill.Byte"/>; bytes at or above the
/// dirty mark are zero, as calloc relies on.
/// </summary>
internal readonly unsafe partial struct LargeBlockHeap
{
    /// <summary>The smallest block: a header and room for the free-list links.</summary>
    public const ulong MinBlockSize = 32;
    private const ulong HeaderSize = BlockFormat.HeaderBytes;

    private readonly byte* _base;
    private readonly TlsfControl* _control;
    private readonly HeapGuard _guard;

    /// <summary>The heap of the area at <paramref name="areaBase"/> whose control block is <paramref name="control"/>.</summary>
    public LargeBlockHeap(byte* areaBase, TlsfControl* control, HeapGuard guard)
    {
        _base = areaBase;
        _control = control;
        _guard = guard;
    }

    private TlsfControl* H => _control;

    /// <summary>Every byte at or above this offset has never been written since the area was mapped (so it is zero): calloc clears only below it.</summary>
    public ulong DirtyHighWater => H->DirtyHighWater;

    /// <summary>Bytes in free blocks, headers included.</summary>
    public ulong FreeBytes => H->FreeBytes;

    /// <summary>Bytes in used blocks and slabs, headers included.</summary>
    public ulong UsedBytes => H->UsedBytes;

    /// <summary>The highest <see cref="UsedBytes"/> has been.</summary>
    public ulong PeakUsedBytes => H->PeakUsedBytes;

    /// <summary>The payload bytes of the used block whose header is at <paramref name="block"/>.</summary>
    public ulong PayloadBytes(ulong block) => SizeOf(Header(block)) - HeaderSize;

    public BlockHeader* Header(ulong offset) => (BlockHeader*)(_base + offset);

    private static ulong SizeOf(BlockHeader* block) => Granules.OffsetOf(block->Size);

    /// <summary>Makes the whole heap one free block, ended by a sentinel that is never free.</summary>
    public void Initialize(ulong heapStart, ulong heapEnd)
    {
        BlockHeader* sentinel = Header(heapEnd);
        sentinel->Size = 1;
        sentinel->Flags = BlockHeader.Tag | BlockHeader.SentinelFlag;
        WriteHeader(heapStart, heapEnd - heapStart, 0, BlockHeader.Tag);
        H->DirtyHighWater = heapStart + MinBlockSize;
        MarkFree(heapStart); // seals the block and the sentinel
        H->FreeBytes = heapEnd - heapStart;
        InsertFree(heapStart);
    }

    /// <summary>
    /// Allocates a block of exactly <paramref name="blockSize"/> bytes (header included, a multiple of 16); its offset,
    /// or 0 when no free block is large enough or damage was met (then reported to the guard).
    /// </summary>
    public ulong Allocate(ulong blockSize)
    {
        ulong block = FindFree(blockSize);
        if (block == 0 || !PoisonIntact(block + MinBlockSize, block + Kept(block, blockSize)))
            return 0;
        RemoveFree(block);
        SplitTail(block, blockSize);
        MarkUsed(block, slab: false);
        return block;
    }

    /// <summary>
    /// Allocates a block of <paramref name="blockSize"/> bytes whose offset plus <paramref name="prefix"/> is a
    /// multiple of <paramref name="alignment"/> (a power of two): used for slabs, which start on a page boundary.
    /// Any free block that holds such a block is used: first in O(1) a block large enough for every misalignment,
    /// else the lists that may hold a fitting block are searched (<see cref="FindAligned"/>), so that the request fails
    /// only when no free block holds an aligned block of that size (a run of free pages between slabs is used whole).
    /// Returns the block's offset, or 0 (no room, or damage met and reported).
    /// </summary>
    public ulong AllocateAligned(ulong blockSize, ulong prefix, ulong alignment)
    {
        ulong block = FindFree(blockSize + alignment + MinBlockSize);
        if (block == 0 && !_guard.Damaged)
            block = FindAligned(blockSize, prefix, alignment);
        if (block == 0)
            return 0;
        ulong target = AlignedStart(block, prefix, alignment);
        ulong end = block + SizeOf(Header(block));
        ulong kept = end - target - blockSize < MinBlockSize ? end - target : blockSize;
        if (!PoisonIntact(Math.Max(target, block + MinBlockSize), target + kept))
            return 0;
        RemoveFree(block);
        if (target != block)
        {
            // Split the misaligned front off as a free block of its own (never adjacent to another free block).
            BlockHeader* front = Header(block);
            ulong whole = SizeOf(front);
            // Still counted free until MarkUsed below.
            WriteHeader(target, whole - (target - block), target - block, BlockHeader.Tag | BlockHeader.PrevFreeFlag | BlockHeader.FreeFlag);
            front->Size = Granules.IndexOf(target - block);
            Seal(block);
            ulong after = target + SizeOf(Header(target));
            Header(after)->PrevSize = Header(target)->Size;
            // Stryker disable once Statement : sealed again by the next step (docs/MUTATION.md#reseal)
            Seal(after);
            // MarkUsed is about to count the bytes up to the slab's end as dirty: the front's never-written bytes
            // below it get the poison, so the front keeps the poison invariant.
            PoisonNewlyDirty(block + MinBlockSize, target);
            InsertFree(block);
            Interleaving.At(InterleavingPoint.BlockSplit);
        }
        SplitTail(target, blockSize);
        MarkUsed(target, slab: true);
        return target;
    }

    /// <summary>
    /// Frees the used block or slab at <paramref name="block"/>, merging it with free neighbours at once. The caller
    /// has checked it with <see cref="CanFree"/> (nothing is verified here).
    /// </summary>
    public void Free(ulong block)
    {
        BlockHeader* header = Header(block);
        ulong size = SizeOf(header);
        H->FreeBytes += size;
        H->UsedBytes -= size;
        Poison(block + MinBlockSize, block + size);
        if (header->IsPrevFree)
        {
            ulong prev = block - Granules.OffsetOf(header->PrevSize);
            RemoveFree(prev);
            Header(prev)->Size += header->Size;
            Poison(block, block + MinBlockSize); // the old header and links now lie inside prev's payload
            block = prev;
            header = Header(prev);
            Interleaving.At(InterleavingPoint.BlockCoalesce);
        }
        ulong next = block + SizeOf(header);
        if (Header(next)->IsFree)
        {
            RemoveFree(next);
            header->Size += Header(next)->Size;
            Poison(next, next + MinBlockSize);
            Interleaving.At(InterleavingPoint.BlockCoalesce);
        }
        header->Flags = (header->Flags & ~BlockHeader.SlabFlag) | BlockHeader.FreeFlag;
        MarkFree(block);
        InsertFree(block);
    }

    /// <summary>
    /// The bytes the used block at <paramref name="block"/> could grow to in place: its size plus the free block after
    /// it, if any (read only; <see cref="TryResize"/> verifies before it changes anything).
    /// </summary>
    public ulong InPlaceRoom(ulong block)
    {
        ulong size = SizeOf(Header(block));
        BlockHeader* next = Header(block + size);
        return next->IsFree ? size + SizeOf(next) : size;
    }

    /// <summary>
    /// Resizes the used block at <paramref name="block"/> (already checked) to <paramref name="newSize"/> bytes in
    /// place: a shrink always succeeds (the tail is freed when it can form a block); a grow succeeds when the next block
    /// is free and large enough. Damage around the block (its successor, the successor's links, poison the grow would
    /// hand out) is reported and changes nothing.
    /// </summary>
    public ResizeOutcome TryResize(ulong block, ulong newSize)
    {
        if (!VerifySuccessors(block))
            return ResizeOutcome.Corrupt;
        BlockHeader* header = Header(block);
        ulong size = SizeOf(header);
        if (newSize > size)
        {
            ulong next = block + size;
            BlockHeader* nextHeader = Header(next);
            if (!nextHeader->IsFree || size + SizeOf(nextHeader) < newSize)
                return ResizeOutcome.NoRoom;
            ulong absorbed = SizeOf(nextHeader);
            if (!PoisonIntact(next + MinBlockSize, next + absorbed))
                return ResizeOutcome.Corrupt;
            RemoveFree(next);
            header->Size += nextHeader->Size;
            Seal(block);
            H->FreeBytes -= absorbed;
            H->UsedBytes += absorbed;
            // Not MarkUsed: the absorbed block's unused tail is given back just below, so neither the peak nor the
            // dirty mark may count it (the next block's PrevFree is cleared by hand).
            ulong after = block + SizeOf(header);
            Header(after)->Flags &= ~BlockHeader.PrevFreeFlag;
            Header(after)->PrevSize = header->Size;
            Seal(after);
            Interleaving.At(InterleavingPoint.BlockCoalesce);
        }
        ulong before = SizeOf(header);
        ulong written = block + before;
        if (before - newSize >= MinBlockSize)
        {
            // Carve the tail off as a used block, then free it the ordinary way (which merges it with a free successor).
            ulong tail = block + newSize;
            header->Size = Granules.IndexOf(newSize);
            Seal(block);
            WriteHeader(tail, before - newSize, newSize, BlockHeader.Tag);
            ulong afterTail = tail + (before - newSize);
            Header(afterTail)->PrevSize = Header(tail)->Size;
            // Stryker disable once Statement : sealed again by Free(tail) (docs/MUTATION.md#reseal)
            Seal(afterTail);
            Interleaving.At(InterleavingPoint.BlockSplit);
            Free(tail);
            written = tail + MinBlockSize; // the tail's header and free-list links
        }
        // Stryker disable once Equality : a running maximum (docs/MUTATION.md#running-maximum)
        if (H->DirtyHighWater < written)
            H->DirtyHighWater = written;
        UpdatePeak();
        return ResizeOutcome.Resized;
    }

    /// <summary>
    /// The payload bytes of the largest free block (0 when none): the largest request the heap can satisfy now.
    /// A damaged block on the list scanned ends the scan (reported).
    /// </summary>
    public ulong LargestFreePayload()
    {
        if (H->FlBitmap == 0)
            return 0;
        int fl = BitOperations.Log2(H->FlBitmap);
        int sl = BitOperations.Log2(H->SlBitmap[fl]);
        ulong largest = HeaderSize;
        for (uint g = H->FreeHeads[fl * TlsfMapping.SlCount + sl]; g != 0; g = NextOf(Offset(g)))
        {
            if (!VerifyFreeNode(Offset(g)))
                break;
            largest = Math.Max(largest, SizeOf(Header(Offset(g))));
        }
        return largest - HeaderSize;
    }

    /// <summary>
    /// The first offset at or after the free block <paramref name="block"/> where an aligned block may start: its
    /// offset plus <paramref name="prefix"/> a multiple of <paramref name="alignment"/>, and the front left before it
    /// either empty or large enough to stay a free block.
    /// </summary>
    private static ulong AlignedStart(ulong block, ulong prefix, ulong alignment)
    {
        ulong target = ((block + prefix + alignment - 1) & ~(alignment - 1)) - prefix;
        return target != block && target - block < MinBlockSize ? target + alignment : target;
    }

    /// <summary>
    /// A free block, verified, that holds an aligned block of <paramref name="blockSize"/> bytes (see
    /// <see cref="AlignedStart"/>), with a tail after it that is empty or can stay a free block, or may be kept; 0
    /// when none does or damage was met. Searches every list that may hold a block of at least
    /// <paramref name="blockSize"/> bytes, first fit: only when the O(1) search of <see cref="AllocateAligned"/> failed.
    /// </summary>
    private ulong FindAligned(ulong blockSize, ulong prefix, ulong alignment)
    {
        if (blockSize > TlsfMapping.MaxBlockSize)
            return 0;
        (int firstFl, int firstSl) = TlsfMapping.MapInsert(blockSize);
        // Only the non-empty lists, found through the bitmaps.
        uint flMap = H->FlBitmap & (~0u << firstFl);
        while (flMap != 0)
        {
            int fl = BitOperations.TrailingZeroCount(flMap);
            flMap &= flMap - 1;
            uint slMap = H->SlBitmap[fl] & (fl == firstFl ? ~0u << firstSl : ~0u);
            while (slMap != 0)
            {
                int sl = BitOperations.TrailingZeroCount(slMap);
                slMap &= slMap - 1;
                for (uint g = H->FreeHeads[fl * TlsfMapping.SlCount + sl]; g != 0; g = NextOf(Offset(g)))
                {
                    ulong candidate = Offset(g);
                    if (!VerifyCandidate(candidate))
                        return 0;
                    if (AlignedStart(candidate, prefix, alignment) + blockSize <= candidate + SizeOf(Header(candidate)))
                        return candidate;
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// A free block of at least <paramref name="size"/> bytes, verified with its links and successor, or 0 (none, or
    /// damage met). Good fit in O(1): the first non-empty list at or above the rounded-up size. If none, one list is
    /// scanned first-fit (the list holding sizes just below the rounding), so that a request fails only when no free
    /// block at all is large enough.
    /// </summary>
    private ulong FindFree(ulong size)
    {
        if (size > TlsfMapping.MaxBlockSize)
            return 0;
        (int fl, int sl) = TlsfMapping.MapSearch(size);
        if (fl < TlsfMapping.FlCount)
        {
            uint slMap = H->SlBitmap[fl] & (~0u << sl);
            if (slMap == 0)
            {
                // Stryker disable once Conditional,Equality : fl + 1 < 32 always holds inside fl < FlCount (docs/MUTATION.md#equivalent-bound)
                uint flMap = fl + 1 < 32 ? H->FlBitmap & (~0u << (fl + 1)) : 0;
                if (flMap != 0)
                {
                    fl = BitOperations.TrailingZeroCount(flMap);
                    slMap = H->SlBitmap[fl];
                }
            }
            if (slMap != 0)
            {
                ulong head = Offset(H->FreeHeads[fl * TlsfMapping.SlCount + BitOperations.TrailingZeroCount(slMap)]);
                return VerifyCandidate(head) ? head : 0;
            }
        }
        (int exactFl, int exactSl) = TlsfMapping.MapInsert(size);
        for (uint g = H->FreeHeads[exactFl * TlsfMapping.SlCount + exactSl]; g != 0; g = NextOf(Offset(g)))
        {
            ulong candidate = Offset(g);
            if (!VerifyCandidate(candidate))
                return 0;
            if (SizeOf(Header(candidate)) >= size)
                return candidate;
        }
        return 0;
    }

    /// <summary>The bytes the free block at <paramref name="block"/> keeps when cut to <paramref name="size"/>: size, or all of it when the rest could not form a block.</summary>
    private ulong Kept(ulong block, ulong size)
    {
        ulong whole = SizeOf(Header(block));
        return whole - size < MinBlockSize ? whole : size;
    }

    /// <summary>Cuts <paramref name="block"/> (off every list) down to <paramref name="size"/> bytes; the rest becomes a free block if it can.</summary>
    private void SplitTail(ulong block, ulong size)
    {
        BlockHeader* header = Header(block);
        ulong whole = SizeOf(header);
        if (whole - size < MinBlockSize)
            return;
        ulong rest = block + size;
        // The block being cut is still marked free (MarkUsed follows), so the rest records a free predecessor for now.
        WriteHeader(rest, whole - size, size, BlockHeader.Tag | BlockHeader.FreeFlag | BlockHeader.PrevFreeFlag);
        header->Size = Granules.IndexOf(size);
        // Stryker disable once Statement : sealed again by the MarkUsed after every SplitTail (docs/MUTATION.md#reseal)
        Seal(block);
        ulong after = rest + (whole - size);
        Header(after)->PrevSize = Header(rest)->Size;
        Header(after)->Flags |= BlockHeader.PrevFreeFlag;
        Seal(after);
        // Stryker disable once Equality : a running maximum (docs/MUTATION.md#running-maximum)
        if (H->DirtyHighWater < rest + MinBlockSize)
            H->DirtyHighWater = rest + MinBlockSize;
        InsertFree(rest);
        Interleaving.At(InterleavingPoint.BlockSplit);
    }

    /// <summary>Writes and seals a whole header.</summary>
    private void WriteHeader(ulong offset, ulong size, ulong prevSize, uint flags)
    {
        BlockHeader* header = Header(offset);
        header->Size = Granules.IndexOf(size);
        header->PrevSize = Granules.IndexOf(prevSize);
        header->Flags = flags;
        // Stryker disable once Statement : every caller seals this header again (docs/MUTATION.md#reseal)
        Seal(offset);
    }

    /// <summary>Marks a block used (and a slab if asked), tells its successor, counts it, and raises the dirty mark over it.</summary>
    private void MarkUsed(ulong block, bool slab)
    {
        BlockHeader* header = Header(block);
        ulong size = SizeOf(header);
        bool wasFree = header->IsFree;
        header->Flags = (header->Flags & ~BlockHeader.FreeFlag) | (slab ? BlockHeader.SlabFlag : 0);
        Seal(block);
        Header(block + size)->Flags &= ~BlockHeader.PrevFreeFlag;
        Seal(block + size);
        if (wasFree)
        {
            H->FreeBytes -= size;
            H->UsedBytes += size;
        }
        // Stryker disable once Equality : a running maximum (docs/MUTATION.md#running-maximum)
        if (H->DirtyHighWater < block + size)
            H->DirtyHighWater = block + size;
        UpdatePeak();
    }

    private void MarkFree(ulong block)
    {
        BlockHeader* header = Header(block);
        header->Flags |= BlockHeader.FreeFlag;
        Seal(block);
        ulong next = block + SizeOf(header);
        Header(next)->PrevSize = header->Size;
        Header(next)->Flags |= BlockHeader.PrevFreeFlag;
        Seal(next);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UpdatePeak()
    {
        // Stryker disable once Equality : a running maximum (docs/MUTATION.md#running-maximum)
        if (H->UsedBytes > H->PeakUsedBytes)
            H->PeakUsedBytes = H->UsedBytes;
    }

    private static ulong Offset(uint granule) => Granules.OffsetOf(granule);
}
