using AreaMalloc.Format;
using AreaMalloc.Hardening;

namespace AreaMalloc.LargeBlocks;

/// <summary>What a walk of the large-block heap counted, and where it stood when it stopped.</summary>
internal struct HeapTally
{
    /// <summary>The offset of the block or structure the walk last looked at (at a violation: the one at fault).</summary>
    public ulong At;

    /// <summary>Bytes in free blocks and in used blocks (slabs included), headers included.</summary>
    public ulong FreeBytes, UsedBytes;

    /// <summary>The size of the largest free block found (header included), or 0 when there is none.</summary>
    public ulong LargestFree;

    /// <summary>Blocks visited (free, used and slabs), and of them the free ones.</summary>
    public int Blocks, FreeBlocks;
}

/// <summary>What the layer above checks of each used block the heap's walk meets: a plain block or a slab.</summary>
internal interface IUsedBlockInspector
{
    /// <summary>The used block at <paramref name="block"/> of <paramref name="size"/> bytes (header included): null, or the broken invariant.</summary>
    string? Used(ulong block, ulong size, ref ulong at);

    /// <summary>The slab block at <paramref name="block"/> of <paramref name="size"/> bytes: null, or the broken invariant.</summary>
    string? Slab(ulong block, ulong size, ref ulong at);
}

/// <summary>
/// The heap's own walk, for the pool's integrity walker: the blocks tile the heap exactly up to the sentinel; boundary
/// tags agree with their neighbours and carry their check words; no two free blocks touch; a free block holds no live
/// bit and (with poison on) its poison; each free block is on the one list its size maps to, its links decode and link
/// back, and the bitmaps name exactly the non-empty lists. Reads only: it reports, it records no damage.
/// </summary>
internal readonly unsafe partial struct LargeBlockHeap
{
    /// <summary>
    /// Visits every block from <see cref="HeapGuard.HeapStart"/> to the sentinel, checking the tags and the free blocks
    /// itself and handing every used block and slab to <paramref name="inspector"/>. Null, or the first broken invariant.
    /// </summary>
    public string? WalkBlocks<TInspector>(LiveMap liveMap, ref HeapTally t, ref TInspector inspector) where TInspector : struct, IUsedBlockInspector
    {
        ulong offset = _guard.HeapStart, prevSize = 0, heapEnd = _guard.HeapEnd;
        bool prevFree = false;
        while (offset < heapEnd)
        {
            t.At = offset;
            BlockHeader* b = Header(offset);
            ulong size = SizeOf(b);
            if (!b->HasTag)
                return $"block at 0x{offset:x} has no valid tag";
            if (size < MinBlockSize || offset + size > heapEnd)
                return $"block at 0x{offset:x} has impossible size {size}";
            if (Bytes(b->PrevSize) != prevSize)
                return $"block at 0x{offset:x} records previous size {Bytes(b->PrevSize)}, but the previous block is {prevSize} bytes";
            if (b->IsPrevFree != prevFree)
                return $"block at 0x{offset:x} has PrevFree={b->IsPrevFree}, but the previous block's Free={prevFree}";
            if (b->IsFree && prevFree)
                return $"free block at 0x{offset:x} follows a free block: coalescing missed";
            if (!HasCheckWord(offset))
                return $"check word mismatch in the header of the block at 0x{offset:x}: it was written by something other than the allocator";
            t.Blocks++;
            string? problem = b->IsFree ? CheckFreeBlock(offset, size, liveMap, ref t)
                : b->IsSlab ? inspector.Slab(offset, size, ref t.At)
                : inspector.Used(offset, size, ref t.At);
            if (problem is not null)
                return problem;
            if (!b->IsFree)
                t.UsedBytes += size;
            prevSize = size;
            prevFree = b->IsFree;
            offset += size;
        }
        t.At = heapEnd;
        BlockHeader* sentinel = Header(heapEnd);
        if (offset != heapEnd || !sentinel->HasTag || (sentinel->Flags & BlockHeader.SentinelFlag) == 0 || sentinel->IsFree)
            return "the blocks do not end exactly at an intact sentinel";
        if (Bytes(sentinel->PrevSize) != prevSize || sentinel->IsPrevFree != prevFree)
            return "the sentinel's boundary tag disagrees with the last block";
        return HasCheckWord(heapEnd) ? null : $"check word mismatch in the sentinel's header at 0x{heapEnd:x}";
    }

    /// <summary>
    /// The free lists and bitmaps: each list holds only free blocks of its size range, linked both ways, and together
    /// exactly the <paramref name="freeBlocks"/> free blocks the walk of the blocks found. Null, or the first broken invariant.
    /// </summary>
    public string? CheckFreeLists(int freeBlocks, ref ulong at)
    {
        int listed = 0;
        for (int fl = 0; fl < TlsfMapping.FlCount; fl++)
        {
            if (((H->FlBitmap >> fl) & 1) != (H->SlBitmap[fl] != 0 ? 1u : 0u))
                return $"first-level bitmap bit {fl} disagrees with its second-level bitmap";
            for (int sl = 0; sl < TlsfMapping.SlCount; sl++)
            {
                uint head = H->FreeHeads[fl * TlsfMapping.SlCount + sl];
                if (((H->SlBitmap[fl] >> sl) & 1) != (head != 0 ? 1u : 0u))
                    return $"bitmap bit ({fl},{sl}) disagrees with its list";
                uint prev = 0;
                for (uint g = head; g != 0; g = NextOf(Granules.OffsetOf(g)))
                {
                    ulong block = Granules.OffsetOf(g);
                    BlockHeader* b = Header(block);
                    bool outside = block < _guard.HeapStart || block >= _guard.HeapEnd;
                    if (++listed > freeBlocks || outside || !b->HasTag || !b->IsFree)
                    {
                        if (prev == 0)
                            return $"free list ({fl},{sl}) holds 0x{block:x}, which is not a free block (or the list cycles)";
                        at = Granules.OffsetOf(prev);
                        return $"the free-list link in the free block at 0x{at:x} decodes to 0x{block:x}, {(outside ? "outside the heap" : "which is not a free block (or the list cycles)")}";
                    }
                    at = block;
                    if (TlsfMapping.MapInsert(SizeOf(b)) != (fl, sl))
                        return $"free block 0x{block:x} of {SizeOf(b)} bytes is on list ({fl},{sl})";
                    if (PrevOf(block) != prev)
                        return $"free block 0x{block:x} has a wrong back link";
                    prev = g;
                }
            }
        }
        return listed != freeBlocks ? $"the free lists hold {listed} blocks, the heap {freeBlocks}" : null;
    }

    private string? CheckFreeBlock(ulong offset, ulong size, LiveMap liveMap, ref HeapTally t)
    {
        t.FreeBlocks++;
        t.FreeBytes += size;
        t.LargestFree = Math.Max(t.LargestFree, size);
        if (liveMap.Count(offset, offset + size) != 0)
            return $"free block at 0x{offset:x} contains a live-map bit";
        string? poison = _guard.Poison ? PoisonFill.BreakIn(_base, offset + MinBlockSize, offset + size, H->DirtyHighWater) : null;
        return poison is null ? null : $"use-after-free write in the free block at 0x{offset:x}: {poison}";
    }

    private bool HasCheckWord(ulong offset)
    {
        BlockHeader* b = Header(offset);
        return b->Check == _guard.Keys.CheckWord(offset, b->Size, b->PrevSize, b->Flags);
    }

    private static ulong Bytes(uint granules) => Granules.OffsetOf(granules);
}
