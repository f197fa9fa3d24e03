using AreaMalloc.Format;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// The segregated free lists: heads and bitmaps in the pool header, links in each free block's payload, stored
/// encoded (<see cref="Hardening.HeapKeys.Encode"/>) with the link's own offset as the slot. Nothing here verifies:
/// a block is unlinked only after <see cref="VerifyFreeNode"/> passed for it.
/// </summary>
internal readonly unsafe partial struct LargeBlockHeap
{
    private FreeLinks* Links(ulong block) => (FreeLinks*)(_base + block + HeaderSize);

    /// <summary>The decoded next link of the free block at <paramref name="block"/> (a granule index, 0 for none).</summary>
    private uint NextOf(ulong block) => _guard.Keys.Decode(Links(block)->Next, block + HeaderSize);

    /// <summary>The decoded previous link of the free block at <paramref name="block"/>.</summary>
    private uint PrevOf(ulong block) => _guard.Keys.Decode(Links(block)->Prev, block + HeaderSize + sizeof(uint));

    private void SetNext(ulong block, uint link) => Links(block)->Next = _guard.Keys.Encode(link, block + HeaderSize);

    private void SetPrev(ulong block, uint link) => Links(block)->Prev = _guard.Keys.Encode(link, block + HeaderSize + sizeof(uint));

    /// <summary>The index in <see cref="TlsfControl.FreeHeads"/> of the list for the block at <paramref name="block"/>.</summary>
    private int ListOf(ulong block)
    {
        (int fl, int sl) = TlsfMapping.MapInsert(SizeOf(Header(block)));
        return fl * TlsfMapping.SlCount + sl;
    }

    private void InsertFree(ulong block)
    {
        (int fl, int sl) = TlsfMapping.MapInsert(SizeOf(Header(block)));
        int index = fl * TlsfMapping.SlCount + sl;
        uint self = Granules.IndexOf(block);
        uint head = H->FreeHeads[index];
        SetNext(block, head);
        SetPrev(block, 0);
        if (head != 0)
            SetPrev(Offset(head), self);
        H->FreeHeads[index] = self;
        H->SlBitmap[fl] |= 1u << sl;
        H->FlBitmap |= 1u << fl;
        Interleaving.At(InterleavingPoint.FreeListPush);
    }

    private void RemoveFree(ulong block)
    {
        (int fl, int sl) = TlsfMapping.MapInsert(SizeOf(Header(block)));
        int index = fl * TlsfMapping.SlCount + sl;
        uint next = NextOf(block), prev = PrevOf(block);
        if (prev != 0)
            SetNext(Offset(prev), next);
        else
            H->FreeHeads[index] = next;
        if (next != 0)
            SetPrev(Offset(next), prev);
        if (H->FreeHeads[index] == 0)
        {
            H->SlBitmap[fl] &= ~(1u << sl);
            if (H->SlBitmap[fl] == 0)
                H->FlBitmap &= ~(1u << fl);
        }
        Interleaving.At(InterleavingPoint.FreeListPop);
    }
}
