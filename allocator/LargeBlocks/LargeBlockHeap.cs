using System.Numerics;
using System.Runtime.CompilerServices;
using AreaMalloc.Pool;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// The coalescing large-block allocator over a pool's heap: TLSF segregated fits (<see cref="TlsfMapping"/>),
/// boundary tags (<see cref="BlockHeader"/>), O(1) allocate and free, immediate coalescing of free neighbours.
/// Block offsets are byte offsets from the area's base; links are granule indices. The caller holds the pool's lock.
/// Invariant: every free block is on exactly the list <see cref="TlsfMapping.MapInsert"/> names for its size,
/// and the bitmaps have a bit set exactly for the non-empty lists.
/// </summary>
internal readonly unsafe struct LargeBlockHeap
{
    /// <summary>The smallest block: a header and room for the free-list links.</summary>
    public const ulong MinBlockSize = 32;
    private const ulong HeaderSize = 16;

    private readonly byte* _base;

    public LargeBlockHeap(byte* areaBase) => _base = areaBase;

    private PoolHeader* H => (PoolHeader*)_base;

    public BlockHeader* Header(ulong offset) => (BlockHeader*)(_base + offset);

    private FreeLinks* Links(ulong offset) => (FreeLinks*)(_base + offset + HeaderSize);

    private static ulong SizeOf(BlockHeader* block) => (ulong)block->Size << TlsfMapping.GranuleLog2;

    /// <summary>Makes the whole heap one free block, ended by a sentinel that is never free.</summary>
    public void Initialize(ulong heapStart, ulong heapEnd)
    {
        BlockHeader* sentinel = Header(heapEnd);
        sentinel->Size = 1;
        sentinel->Flags = BlockHeader.Tag | BlockHeader.SentinelFlag;
        BlockHeader* first = Header(heapStart);
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        first->Size = (uint)((heapEnd - heapStart) >> TlsfMapping.GranuleLog2);
        first->PrevSize = 0;
        first->Flags = BlockHeader.Tag;
        H->DirtyHighWater = heapStart + MinBlockSize;
        MarkFree(heapStart);
        H->LargeFreeBytes = heapEnd - heapStart;
        InsertFree(heapStart);
    }

    /// <summary>Allocates a block of exactly <paramref name="blockSize"/> bytes (header included, a multiple of 16); its offset, or 0.</summary>
    public ulong Allocate(ulong blockSize)
    {
        ulong block = FindFree(blockSize);
        if (block == 0)
            return 0;
        RemoveFree(block);
        SplitTail(block, blockSize);
        MarkUsed(block, slab: false);
        return block;
    }

    /// <summary>
    /// Allocates a block of <paramref name="blockSize"/> bytes whose offset plus <paramref name="prefix"/> is a
    /// multiple of <paramref name="alignment"/> (a power of two): used for slabs, which start on a page boundary.
    /// Returns the block's offset, or 0.
    /// </summary>
    public ulong AllocateAligned(ulong blockSize, ulong prefix, ulong alignment)
    {
        ulong block = FindFree(blockSize + alignment + MinBlockSize);
        if (block == 0)
            return 0;
        RemoveFree(block);
        ulong target = ((block + prefix + alignment - 1) & ~(alignment - 1)) - prefix;
        if (target != block && target - block < MinBlockSize)
            target += alignment;
        if (target != block)
        {
            // Split the misaligned front off as a free block of its own (never adjacent to another free block).
            BlockHeader* front = Header(block);
            ulong whole = SizeOf(front);
            WriteHeader(target, whole - (target - block), target - block, prevFree: true);
            Header(target)->Flags |= BlockHeader.FreeFlag; // still counted free until MarkUsed below
            // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
            front->Size = (uint)((target - block) >> TlsfMapping.GranuleLog2);
            Header(target + SizeOf(Header(target)))->PrevSize = Header(target)->Size;
            InsertFree(block);
            Interleaving.At(InterleavingPoint.BlockSplit);
        }
        SplitTail(target, blockSize);
        MarkUsed(target, slab: true);
        return target;
    }

    /// <summary>Frees the block at <paramref name="block"/>, merging it with free neighbours at once.</summary>
    public void Free(ulong block)
    {
        BlockHeader* header = Header(block);
        ulong size = SizeOf(header);
        H->LargeFreeBytes += size;
        H->LargeUsedBytes -= size;
        if (header->IsPrevFree)
        {
            ulong prev = block - ((ulong)header->PrevSize << TlsfMapping.GranuleLog2);
            RemoveFree(prev);
            Header(prev)->Size += header->Size;
            block = prev;
            header = Header(prev);
            Interleaving.At(InterleavingPoint.BlockCoalesce);
        }
        ulong next = block + SizeOf(header);
        if (Header(next)->IsFree)
        {
            RemoveFree(next);
            header->Size += Header(next)->Size;
            Interleaving.At(InterleavingPoint.BlockCoalesce);
        }
        header->Flags = (header->Flags & ~BlockHeader.SlabFlag) | BlockHeader.FreeFlag;
        MarkFree(block);
        InsertFree(block);
    }

    /// <summary>
    /// Resizes the used block at <paramref name="block"/> to <paramref name="newSize"/> bytes in place: a shrink
    /// always succeeds (the tail is freed when it can form a block); a grow succeeds when the next block is free
    /// and large enough. Returns false, changing nothing, when it cannot.
    /// </summary>
    public bool TryResize(ulong block, ulong newSize)
    {
        BlockHeader* header = Header(block);
        ulong size = SizeOf(header);
        if (newSize > size)
        {
            ulong next = block + size;
            BlockHeader* nextHeader = Header(next);
            if (!nextHeader->IsFree || size + SizeOf(nextHeader) < newSize)
                return false;
            RemoveFree(next);
            ulong absorbed = SizeOf(nextHeader);
            header->Size += nextHeader->Size;
            H->LargeFreeBytes -= absorbed;
            H->LargeUsedBytes += absorbed;
            // Not MarkUsed: the absorbed block's unused tail is given back just below, so neither the peak nor the
            // dirty mark may count it (the next block's PrevFree is cleared by hand).
            Header(block + SizeOf(header))->Flags &= ~BlockHeader.PrevFreeFlag;
            Header(block + SizeOf(header))->PrevSize = header->Size;
            Interleaving.At(InterleavingPoint.BlockCoalesce);
        }
        ulong before = SizeOf(header);
        ulong written = block + before;
        if (before - newSize >= MinBlockSize)
        {
            // Carve the tail off as a used block, then free it the ordinary way (which merges it with a free successor).
            ulong tail = block + newSize;
            // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
            header->Size = (uint)(newSize >> TlsfMapping.GranuleLog2);
            WriteHeader(tail, before - newSize, newSize, prevFree: false);
            Header(tail + (before - newSize))->PrevSize = Header(tail)->Size;
            Interleaving.At(InterleavingPoint.BlockSplit);
            Free(tail);
            written = tail + MinBlockSize; // the tail's header and free-list links
        }
        // Stryker disable once Equality : a running maximum; with <= (>=) the equal case assigns the value the field already holds, so the mutant is equivalent; the sibling flipped-comparison mutant goes with it
        if (H->DirtyHighWater < written)
            H->DirtyHighWater = written;
        UpdatePeak();
        return true;
    }

    /// <summary>The payload bytes of the largest free block (0 when none): the largest request the heap can satisfy now.</summary>
    public ulong LargestFreePayload()
    {
        if (H->FlBitmap == 0)
            return 0;
        int fl = BitOperations.Log2(H->FlBitmap);
        int sl = BitOperations.Log2(H->SlBitmap[fl]);
        ulong largest = 0;
        for (uint g = H->FreeHeads[fl * TlsfMapping.SlCount + sl]; g != 0; g = Links((ulong)g << TlsfMapping.GranuleLog2)->Next)
            largest = Math.Max(largest, SizeOf(Header((ulong)g << TlsfMapping.GranuleLog2)));
        return largest - HeaderSize;
    }

    /// <summary>
    /// A free block of at least <paramref name="size"/> bytes, or 0. Good fit in O(1): the first non-empty list at or
    /// above the rounded-up size. If none, one list is scanned first-fit (the list holding sizes just below the
    /// rounding), so that a request fails only when no free block at all is large enough.
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
                // Stryker disable once Conditional,Equality : inside fl < FlCount (29), fl + 1 < 32 always holds, so forcing it true or testing <= 32 is equivalent (the guard only keeps the shift count below 32)
                uint flMap = fl + 1 < 32 ? H->FlBitmap & (~0u << (fl + 1)) : 0;
                if (flMap != 0)
                {
                    fl = BitOperations.TrailingZeroCount(flMap);
                    slMap = H->SlBitmap[fl];
                }
            }
            if (slMap != 0)
                return (ulong)H->FreeHeads[fl * TlsfMapping.SlCount + BitOperations.TrailingZeroCount(slMap)] << TlsfMapping.GranuleLog2;
        }
        (int exactFl, int exactSl) = TlsfMapping.MapInsert(size);
        for (uint g = H->FreeHeads[exactFl * TlsfMapping.SlCount + exactSl]; g != 0; g = Links((ulong)g << TlsfMapping.GranuleLog2)->Next)
        {
            ulong candidate = (ulong)g << TlsfMapping.GranuleLog2;
            if (SizeOf(Header(candidate)) >= size)
                return candidate;
        }
        return 0;
    }

    /// <summary>Cuts <paramref name="block"/> (off every list) down to <paramref name="size"/> bytes; the rest becomes a free block if it can.</summary>
    private void SplitTail(ulong block, ulong size)
    {
        BlockHeader* header = Header(block);
        ulong whole = SizeOf(header);
        if (whole - size < MinBlockSize)
            return;
        ulong rest = block + size;
        WriteHeader(rest, whole - size, size, prevFree: header->IsFree);
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        header->Size = (uint)(size >> TlsfMapping.GranuleLog2);
        BlockHeader* after = Header(rest + (whole - size));
        after->PrevSize = Header(rest)->Size;
        Header(rest)->Flags |= BlockHeader.FreeFlag;
        after->Flags |= BlockHeader.PrevFreeFlag;
        // Stryker disable once Equality : a running maximum; with <= (>=) the equal case assigns the value the field already holds, so the mutant is equivalent; the sibling flipped-comparison mutant goes with it
        if (H->DirtyHighWater < rest + MinBlockSize)
            H->DirtyHighWater = rest + MinBlockSize;
        InsertFree(rest);
        Interleaving.At(InterleavingPoint.BlockSplit);
    }

    private void WriteHeader(ulong offset, ulong size, ulong prevSize, bool prevFree)
    {
        BlockHeader* header = Header(offset);
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        header->Size = (uint)(size >> TlsfMapping.GranuleLog2);
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        header->PrevSize = (uint)(prevSize >> TlsfMapping.GranuleLog2);
        header->Flags = BlockHeader.Tag | (prevFree ? BlockHeader.PrevFreeFlag : 0);
        header->Reserved = 0;
    }

    /// <summary>Marks a block used (and a slab if asked), tells its successor, counts it, and raises the dirty mark over it.</summary>
    private void MarkUsed(ulong block, bool slab)
    {
        BlockHeader* header = Header(block);
        ulong size = SizeOf(header);
        bool wasFree = header->IsFree;
        header->Flags = (header->Flags & ~BlockHeader.FreeFlag) | (slab ? BlockHeader.SlabFlag : 0);
        Header(block + size)->Flags &= ~BlockHeader.PrevFreeFlag;
        if (wasFree)
        {
            H->LargeFreeBytes -= size;
            H->LargeUsedBytes += size;
        }
        // Stryker disable once Equality : a running maximum; with <= (>=) the equal case assigns the value the field already holds, so the mutant is equivalent; the sibling flipped-comparison mutant goes with it
        if (H->DirtyHighWater < block + size)
            H->DirtyHighWater = block + size;
        UpdatePeak();
    }

    private void MarkFree(ulong block)
    {
        BlockHeader* header = Header(block);
        header->Flags |= BlockHeader.FreeFlag;
        BlockHeader* next = Header(block + SizeOf(header));
        next->PrevSize = header->Size;
        next->Flags |= BlockHeader.PrevFreeFlag;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UpdatePeak()
    {
        // Stryker disable once Equality : a running maximum; with <= (>=) the equal case assigns the value the field already holds, so the mutant is equivalent; the sibling flipped-comparison mutant goes with it
        if (H->LargeUsedBytes > H->PeakLargeUsedBytes)
            H->PeakLargeUsedBytes = H->LargeUsedBytes;
    }

    private void InsertFree(ulong block)
    {
        (int fl, int sl) = TlsfMapping.MapInsert(SizeOf(Header(block)));
        int index = fl * TlsfMapping.SlCount + sl;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        uint self = (uint)(block >> TlsfMapping.GranuleLog2);
        uint head = H->FreeHeads[index];
        FreeLinks* links = Links(block);
        links->Next = head;
        links->Prev = 0;
        if (head != 0)
            Links((ulong)head << TlsfMapping.GranuleLog2)->Prev = self;
        H->FreeHeads[index] = self;
        H->SlBitmap[fl] |= 1u << sl;
        H->FlBitmap |= 1u << fl;
        Interleaving.At(InterleavingPoint.FreeListPush);
    }

    private void RemoveFree(ulong block)
    {
        (int fl, int sl) = TlsfMapping.MapInsert(SizeOf(Header(block)));
        int index = fl * TlsfMapping.SlCount + sl;
        FreeLinks* links = Links(block);
        if (links->Prev != 0)
            Links((ulong)links->Prev << TlsfMapping.GranuleLog2)->Next = links->Next;
        else
            H->FreeHeads[index] = links->Next;
        if (links->Next != 0)
            Links((ulong)links->Next << TlsfMapping.GranuleLog2)->Prev = links->Prev;
        if (H->FreeHeads[index] == 0)
        {
            H->SlBitmap[fl] &= ~(1u << sl);
            if (H->SlBitmap[fl] == 0)
                H->FlBitmap &= ~(1u << fl);
        }
        Interleaving.At(InterleavingPoint.FreeListPop);
    }
}
