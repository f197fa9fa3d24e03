using System.Numerics;
using AreaMalloc.Hardening;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Pool;

/// <summary>
/// Checks every metadata invariant of a pool and names the first that is broken: the header agrees with the
/// layout; the blocks tile the heap exactly up to the sentinel; boundary tags agree with their neighbours; no two
/// free blocks touch; each free block is on the one list its size maps to, and the bitmaps name exactly the
/// non-empty lists; each slab's header, page-map entries, free list, counts and list membership agree; the live map
/// marks exactly the live blocks; the statistics equal what the walk counts. Hardening: every block header (the
/// sentinel's included) carries its check word, every slab header its keyed magic, every encoded free-list link decodes
/// to a block or object it may name, and, with poison on, every free byte below the dirty mark past a free block's
/// links (or a free object's link) holds the poison. Violations name the damaged block (or the block holding the bad
/// link) and its offset. Runs under the pool's lock; reads only (it reports; it does not record damage).
/// </summary>
internal readonly unsafe ref struct IntegrityWalker
{
    private readonly byte* _base;
    private readonly PoolLayout _layout;
    private readonly HeapGuard _guard;

    public IntegrityWalker(byte* areaBase, PoolLayout layout, HeapGuard guard)
    {
        _base = areaBase;
        _layout = layout;
        _guard = guard;
    }

    private PoolHeader* H => (PoolHeader*)_base;
    private BlockHeader* Block(ulong offset) => (BlockHeader*)(_base + offset);
    private static ulong Bytes(uint granules) => (ulong)granules << TlsfMapping.GranuleLog2;

    /// <summary>Runs every check; the report names the first violation.</summary>
    public IntegrityReport Walk()
    {
        var tally = new Tally();
        string? violation = CheckHeader() ?? WalkBlocks(ref tally) ?? CheckFreeLists(ref tally) ?? CheckSlabLists(ref tally) ?? CheckTotals(tally);
        return new IntegrityReport(violation, violation is null ? null : tally.At, tally.Blocks, tally.FreeBlocks, tally.Slabs);
    }

    private struct Tally
    {
        public ulong At, FreeBytes, UsedBytes, BytesInUse, SlabPages;
        public long LiveBlocks;
        public int Blocks, FreeBlocks, Slabs, Spares, PartialSlabs;
        public fixed int PerClass[SizeClasses.Count];
    }

    private string? CheckHeader()
    {
        PoolHeader* h = H;
        if (h->Magic != PoolLayout.Magic)
            return "pool header magic is wrong";
        if (h->AreaSize != _layout.AreaSize || h->HeapStart != _layout.HeapStart || h->HeapEnd != _layout.HeapEnd
            || h->PageMapOffset != _layout.PageMapOffset || h->LiveMapOffset != _layout.LiveMapOffset)
            return "pool header disagrees with the layout of its area";
        return null;
    }

    private string? WalkBlocks(ref Tally t)
    {
        ulong offset = _layout.HeapStart, prevSize = 0;
        bool prevFree = false;
        while (offset < _layout.HeapEnd)
        {
            t.At = offset;
            BlockHeader* b = Block(offset);
            ulong size = Bytes(b->Size);
            if (!b->HasTag)
                return $"block at 0x{offset:x} has no valid tag";
            if (size < LargeBlockHeap.MinBlockSize || offset + size > _layout.HeapEnd)
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
            string? problem = b->IsFree ? CheckFreeBlock(offset, size, ref t)
                : b->IsSlab ? CheckSlab(offset, size, ref t)
                : CheckUsedBlock(offset, size, ref t);
            if (problem is not null)
                return problem;
            prevSize = size;
            prevFree = b->IsFree;
            offset += size;
        }
        t.At = _layout.HeapEnd;
        BlockHeader* sentinel = Block(_layout.HeapEnd);
        if (offset != _layout.HeapEnd || !sentinel->HasTag || (sentinel->Flags & BlockHeader.SentinelFlag) == 0 || sentinel->IsFree)
            return "the blocks do not end exactly at an intact sentinel";
        if (Bytes(sentinel->PrevSize) != prevSize || sentinel->IsPrevFree != prevFree)
            return "the sentinel's boundary tag disagrees with the last block";
        return HasCheckWord(_layout.HeapEnd) ? null : $"check word mismatch in the sentinel's header at 0x{_layout.HeapEnd:x}";
    }

    private bool HasCheckWord(ulong offset)
    {
        BlockHeader* b = Block(offset);
        return b->Check == _guard.Keys.CheckWord(offset, b->Size, b->PrevSize, b->Flags);
    }

    /// <summary>With poison on, null when [from, to) (clipped at the dirty mark) holds the poison, else the first changed byte described.</summary>
    private string? PoisonDamage(ulong from, ulong to)
    {
        to = Math.Min(to, H->DirtyHighWater);
        long at = _guard.Poison && from < to ? PoisonFill.FirstBreak(_base + from, to - from) : -1;
        return at < 0 ? null : $"the byte at 0x{from + (ulong)at:x} is 0x{_base[from + (ulong)at]:x2}, not the poison 0x{PoisonFill.Byte:x2}";
    }

    private string? CheckFreeBlock(ulong offset, ulong size, ref Tally t)
    {
        t.FreeBlocks++;
        t.FreeBytes += size;
        if (CountLive(offset, offset + size) != 0)
            return $"free block at 0x{offset:x} contains a live-map bit";
        string? poison = PoisonDamage(offset + LargeBlockHeap.MinBlockSize, offset + size);
        return poison is null ? null : $"use-after-free write in the free block at 0x{offset:x}: {poison}";
    }

    private string? CheckUsedBlock(ulong offset, ulong size, ref Tally t)
    {
        t.UsedBytes += size;
        t.LiveBlocks++;
        t.BytesInUse += size - 16;
        if (!IsLive(offset + 16) || CountLive(offset, offset + size) != 1)
            return $"used block at 0x{offset:x} is not marked live exactly at its payload";
        return CountSlabPages(offset, offset + size) != 0 ? $"used block at 0x{offset:x} lies on a page the page map gives to a slab" : null;
    }

    private string? CheckSlab(ulong offset, ulong size, ref Tally t)
    {
        var slab = (SlabHeader*)(_base + offset + 16);
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        uint self = (uint)(offset >> TlsfMapping.GranuleLog2);
        int c = slab->SizeClass;
        if (slab->Magic != (SlabHeader.MagicValue ^ _guard.Keys.SlabSeal(self)) || c >= SizeClasses.Count)
            return $"slab at 0x{offset:x} has a damaged header (its keyed magic or class is wrong)";
        int pages = SizeClasses.SlabPages(c);
        ulong objects = offset + SlabHeader.PrefixSize, end = offset + (ulong)pages * B_PAGE_SIZE;
        if (offset % B_PAGE_SIZE != 0 || end > offset + size || offset + size - end >= LargeBlockHeap.MinBlockSize)
            return $"slab at 0x{offset:x} does not have the shape of a class-{c} slab";
        if (slab->ObjectSize != SizeClasses.SizeOf(c) || slab->Capacity != SizeClasses.ObjectsPerSlab(c)
            || slab->Live > slab->Capacity || slab->Bump > slab->Capacity)
            return $"slab at 0x{offset:x} has inconsistent counts";
        for (ulong p = objects / B_PAGE_SIZE; p < objects / B_PAGE_SIZE + (ulong)pages; p++)
            if (((uint*)(_base + _layout.PageMapOffset))[p] != self)
                return $"page {p} of slab at 0x{offset:x} is not mapped to it";
        ulong free = 0, holder = 0;
        for (uint g = slab->FreeHead; g != 0; g = _guard.Keys.Decode(*(uint*)(_base + Bytes(g)), Bytes(g)))
        {
            ulong obj = Bytes(g);
            if (++free > slab->Capacity || obj < objects || obj >= objects + slab->Bump * (ulong)slab->ObjectSize
                || (obj - objects) % slab->ObjectSize != 0 || IsLive(obj))
            {
                if (holder == 0)
                    return $"free list of slab at 0x{offset:x} is damaged at 0x{obj:x}";
                t.At = holder;
                return $"free list of slab at 0x{offset:x} is damaged: the link in the free object at 0x{holder:x} decodes to 0x{obj:x}, which is not a free object of the slab (or the list cycles)";
            }
            string? poison = PoisonDamage(obj + SlabHeader.LinkBytes, obj + slab->ObjectSize);
            if (poison is not null)
            {
                t.At = obj;
                return $"use-after-free write in the free object at 0x{obj:x} of the slab at 0x{offset:x}: {poison}";
            }
            holder = obj;
        }
        if (slab->Live + free + (slab->Capacity - slab->Bump) != slab->Capacity)
            return $"slab at 0x{offset:x}: live {slab->Live} + free {free} + uncarved {slab->Capacity - slab->Bump} != capacity {slab->Capacity}";
        if ((ulong)CountLive(offset, offset + size) != slab->Live)
            return $"slab at 0x{offset:x} counts {slab->Live} live objects, the live map {CountLive(offset, offset + size)}";
        bool stateOk = slab->State switch
        {
            SlabHeader.Full => slab->Live == slab->Capacity,
            SlabHeader.Spare => slab->Live == 0 && H->SpareSlabs[c] == self,
            SlabHeader.Partial => slab->Live > 0 && slab->Live < slab->Capacity,
            _ => false,
        };
        if (!stateOk)
            return $"slab at 0x{offset:x} is in state {slab->State} with {slab->Live} of {slab->Capacity} live";
        t.UsedBytes += size;
        t.LiveBlocks += slab->Live;
        t.BytesInUse += slab->Live * (ulong)slab->ObjectSize;
        t.SlabPages += (ulong)pages;
        t.Slabs++;
        t.PerClass[c]++;
        if (slab->State == SlabHeader.Spare)
            t.Spares++;
        // A spare may stay on its partial list (it was the class's only partial slab when it emptied).
        if (slab->State == SlabHeader.Partial || (slab->State == SlabHeader.Spare && (H->PartialSlabs[c] == self || slab->Prev != 0)))
            t.PartialSlabs++;
        return null;
    }

    private string? CheckFreeLists(ref Tally t)
    {
        PoolHeader* h = H;
        int listed = 0;
        for (int fl = 0; fl < TlsfMapping.FlCount; fl++)
        {
            if (((h->FlBitmap >> fl) & 1) != (h->SlBitmap[fl] != 0 ? 1u : 0u))
                return $"first-level bitmap bit {fl} disagrees with its second-level bitmap";
            for (int sl = 0; sl < TlsfMapping.SlCount; sl++)
            {
                uint head = h->FreeHeads[fl * TlsfMapping.SlCount + sl];
                if (((h->SlBitmap[fl] >> sl) & 1) != (head != 0 ? 1u : 0u))
                    return $"bitmap bit ({fl},{sl}) disagrees with its list";
                uint prev = 0;
                for (uint g = head; g != 0; g = NextLink(Bytes(g)))
                {
                    BlockHeader* b = Block(Bytes(g));
                    bool outside = Bytes(g) < _layout.HeapStart || Bytes(g) >= _layout.HeapEnd;
                    if (++listed > t.FreeBlocks || outside || !b->HasTag || !b->IsFree)
                    {
                        if (prev == 0)
                            return $"free list ({fl},{sl}) holds 0x{Bytes(g):x}, which is not a free block (or the list cycles)";
                        t.At = Bytes(prev);
                        return $"the free-list link in the free block at 0x{Bytes(prev):x} decodes to 0x{Bytes(g):x}, {(outside ? "outside the heap" : "which is not a free block (or the list cycles)")}";
                    }
                    t.At = Bytes(g);
                    if (TlsfMapping.MapInsert(Bytes(b->Size)) != (fl, sl))
                        return $"free block 0x{Bytes(g):x} of {Bytes(b->Size)} bytes is on list ({fl},{sl})";
                    if (_guard.Keys.Decode(((FreeLinks*)(_base + Bytes(g) + 16))->Prev, Bytes(g) + 20) != prev)
                        return $"free block 0x{Bytes(g):x} has a wrong back link";
                    prev = g;
                }
            }
        }
        return listed != t.FreeBlocks ? $"the free lists hold {listed} blocks, the heap {t.FreeBlocks}" : null;
    }

    /// <summary>The decoded next link of the free block at <paramref name="block"/>.</summary>
    private uint NextLink(ulong block) => _guard.Keys.Decode(((FreeLinks*)(_base + block + 16))->Next, block + 16);

    private string? CheckSlabLists(ref Tally t)
    {
        int partial = 0;
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            uint prev = 0;
            for (uint g = H->PartialSlabs[c]; g != 0; g = ((SlabHeader*)(_base + Bytes(g) + 16))->Next)
            {
                var slab = (SlabHeader*)(_base + Bytes(g) + 16);
                t.At = Bytes(g);
                if (++partial > t.PartialSlabs || slab->Magic != (SlabHeader.MagicValue ^ _guard.Keys.SlabSeal(g)) || slab->SizeClass != c
                    || (slab->State != SlabHeader.Partial && slab->State != SlabHeader.Spare) || slab->Prev != prev)
                    return $"partial list of class {c} is damaged at slab 0x{Bytes(g):x}";
                prev = g;
            }
            if (t.PerClass[c] != H->SlabsPerClass[c])
                return $"class {c} counts {H->SlabsPerClass[c]} slabs, the heap has {t.PerClass[c]}";
        }
        return partial != t.PartialSlabs ? $"the partial lists hold {partial} slabs, the heap {t.PartialSlabs}" : null;
    }

    private string? CheckTotals(Tally t)
    {
        PoolHeader* h = H;
        if (h->LiveBlocks != t.LiveBlocks || h->BytesInUse != t.BytesInUse)
            return $"statistics say {h->LiveBlocks} live blocks / {h->BytesInUse} bytes, the heap has {t.LiveBlocks} / {t.BytesInUse}";
        if (h->LargeFreeBytes != t.FreeBytes || h->LargeUsedBytes != t.UsedBytes)
            return $"statistics say {h->LargeFreeBytes} free / {h->LargeUsedBytes} used bytes, the heap has {t.FreeBytes} / {t.UsedBytes}";
        if (h->SlabCount != t.Slabs || h->SpareSlabCount != t.Spares)
            return $"statistics say {h->SlabCount} slabs ({h->SpareSlabCount} spare), the heap has {t.Slabs} ({t.Spares})";
        if (CountLive(0, _layout.AreaSize) != t.LiveBlocks)
            return "the live map marks something that is not a live block";
        return CountSlabPages(0, _layout.AreaSize) != t.SlabPages ? "the page map gives pages to slabs that do not exist" : null;
    }

    private bool IsLive(ulong offset)
    {
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        ulong bit = offset >> TlsfMapping.GranuleLog2;
        return (((ulong*)(_base + _layout.LiveMapOffset))[bit / 64] & (1UL << (int)(bit & 63))) != 0;
    }

    /// <summary>Live-map bits set for granules in [from, to).</summary>
    private long CountLive(ulong from, ulong to)
    {
        var map = (ulong*)(_base + _layout.LiveMapOffset);
        long count = 0;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        ulong bit = from >> TlsfMapping.GranuleLog2, endBit = to >> TlsfMapping.GranuleLog2;
        while (bit < endBit && (bit & 63) != 0)
            count += IsLive(bit++ << TlsfMapping.GranuleLog2) ? 1 : 0;
        // Stryker disable once Equality : with < a last whole word is left to the bit-by-bit loop below, which counts the same bits
        for (; bit + 64 <= endBit; bit += 64)
            count += BitOperations.PopCount(map[bit / 64]);
        while (bit < endBit)
            count += IsLive(bit++ << TlsfMapping.GranuleLog2) ? 1 : 0;
        return count;
    }

    /// <summary>Page-map entries that are non-zero for pages wholly inside [from, to).</summary>
    private ulong CountSlabPages(ulong from, ulong to)
    {
        var map = (uint*)(_base + _layout.PageMapOffset);
        ulong count = 0;
        for (ulong p = (from + B_PAGE_SIZE - 1) / B_PAGE_SIZE; p < to / B_PAGE_SIZE; p++)
            count += map[p] != 0 ? 1UL : 0;
        return count;
    }
}
