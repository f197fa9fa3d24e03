using System.Runtime.CompilerServices;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;

namespace AreaMalloc.Slabs;

/// <summary>
/// Small requests from slabs. Each class keeps a doubly linked list of partial slabs (at least one free
/// object); full slabs are on no list. A slab that empties while it is its class's only partial slab stays on the
/// list as the class's spare (at most one per class, released by Trim or when memory runs short), so that
/// malloc/free pairs do not build and tear down a slab; any other slab that empties is released at once.
/// An object is taken from the slab's free list, else carved from its never-used tail (so a new slab costs O(1),
/// whatever its object count). The caller holds the pool's lock.
/// </summary>
internal readonly unsafe struct SlabHeap
{
    private const ulong Page = Be.BeConstants.B_PAGE_SIZE;
    private readonly byte* _base;

    public SlabHeap(byte* areaBase) => _base = areaBase;

    private PoolHeader* H => (PoolHeader*)_base;

    private uint* PageMap => (uint*)(_base + H->PageMapOffset);

    /// <summary>The slab header of the slab block at granule index <paramref name="slab"/>.</summary>
    public SlabHeader* Slab(uint slab) => (SlabHeader*)(_base + ((ulong)slab << TlsfMapping.GranuleLog2) + 16);

    /// <summary>Offset of the first object of the slab block at granule index <paramref name="slab"/>.</summary>
    public static ulong ObjectsStart(uint slab) => ((ulong)slab << TlsfMapping.GranuleLog2) + SlabHeader.PrefixSize;

    /// <summary>The slab (granule index of its block) whose objects cover <paramref name="offset"/>, or 0.</summary>
    public uint SlabOf(ulong offset) => PageMap[offset / Page];

    /// <summary>Takes one object of class <paramref name="sizeClass"/>; its offset, or 0 when no slab can be had.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Allocate(int sizeClass)
    {
        uint slab = H->PartialSlabs[sizeClass];
        if (slab == 0 && (slab = TakeSlab(sizeClass)) == 0)
            return 0;
        SlabHeader* header = Slab(slab);
        if (header->State == SlabHeader.Spare)
            Unspare(sizeClass, header);
        ulong obj;
        if (header->FreeHead != 0)
        {
            obj = (ulong)header->FreeHead << TlsfMapping.GranuleLog2;
            header->FreeHead = *(uint*)(_base + obj);
            Interleaving.At(InterleavingPoint.FreeListPop);
        }
        else
            obj = ObjectsStart(slab) + (ulong)header->Bump++ * header->ObjectSize;
        if (++header->Live == header->Capacity)
        {
            RemovePartial(sizeClass, slab);
            header->State = SlabHeader.Full;
        }
        return obj;
    }

    /// <summary>A new slab for a class whose partial list is empty (so the class has no spare either), put on the partial list.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint TakeSlab(int sizeClass)
    {
        uint slab = CreateSlab(sizeClass);
        if (slab != 0)
            PushPartial(sizeClass, slab);
        return slab;
    }

    /// <summary>The spare that stayed on its partial list is taken into use: it is no longer the class's spare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unspare(int sizeClass, SlabHeader* header)
    {
        header->State = SlabHeader.Partial;
        H->SpareSlabs[sizeClass] = 0;
        H->SpareSlabCount--;
        Interleaving.At(InterleavingPoint.SlabListMove);
    }

    /// <summary>Returns the object at <paramref name="obj"/> to its slab <paramref name="slab"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(ulong obj, uint slab)
    {
        SlabHeader* header = Slab(slab);
        *(uint*)(_base + obj) = header->FreeHead;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        header->FreeHead = (uint)(obj >> TlsfMapping.GranuleLog2);
        Interleaving.At(InterleavingPoint.FreeListPush);
        if (header->State == SlabHeader.Full)
            PushPartial(header->SizeClass, slab);
        if (--header->Live != 0)
            return;
        int sizeClass = header->SizeClass;
        if (H->SpareSlabs[sizeClass] == 0 && H->PartialSlabs[sizeClass] == slab && header->Next == 0)
        {
            // The class's only partial slab emptied and the class has no spare: it stays on the partial list as
            // the spare, so that a malloc/free pair moves no slab between lists.
            header->State = SlabHeader.Spare;
            H->SpareSlabs[sizeClass] = slab;
            H->SpareSlabCount++;
            Interleaving.At(InterleavingPoint.SlabListMove);
        }
        else
            Emptied(sizeClass, slab);
    }

    /// <summary>
    /// A slab became empty and is not its class's only partial slab (or the class has a spare already; see
    /// <see cref="Free"/> for the other case): it goes back to the large-block allocator at once. (Keeping it as a
    /// second, off-list spare was tried: it held up to a slab per class that no request needed.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Emptied(int sizeClass, uint slab)
    {
        RemovePartial(sizeClass, slab);
        ReleaseSlab(slab);
    }

    /// <summary>Gives every spare slab back to the large-block allocator. Returns how many were released.</summary>
    public int ReleaseSpares()
    {
        int released = 0;
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            uint slab = H->SpareSlabs[c];
            if (slab == 0)
                continue;
            H->SpareSlabs[c] = 0;
            H->SpareSlabCount--;
            RemovePartial(c, slab); // a spare always stays on its partial list
            ReleaseSlab(slab);
            released++;
        }
        return released;
    }

    private uint CreateSlab(int sizeClass)
    {
        int pages = SizeClasses.SlabPages(sizeClass);
        var large = new LargeBlockHeap(_base);
        ulong block = large.AllocateAligned((ulong)pages * Page, 0, Page);
        if (block == 0)
            return 0;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        uint slab = (uint)(block >> TlsfMapping.GranuleLog2);
        SlabHeader* header = Slab(slab);
        *header = default;
        header->Magic = SlabHeader.MagicValue;
        header->SizeClass = (ushort)sizeClass;
        header->ObjectSize = (uint)SizeClasses.SizeOf(sizeClass);
        header->Capacity = (uint)SizeClasses.ObjectsPerSlab(sizeClass);
        ulong firstPage = ObjectsStart(slab) / Page;
        for (ulong p = 0; p < (ulong)pages; p++)
            PageMap[firstPage + p] = slab;
        H->SlabCount++;
        H->SlabsPerClass[sizeClass]++;
        Interleaving.At(InterleavingPoint.SlabListMove);
        return slab;
    }

    private void ReleaseSlab(uint slab)
    {
        SlabHeader* header = Slab(slab);
        int sizeClass = header->SizeClass;
        int pages = SizeClasses.SlabPages(sizeClass);
        ulong firstPage = ObjectsStart(slab) / Page;
        for (ulong p = 0; p < (ulong)pages; p++)
            PageMap[firstPage + p] = 0;
        header->Magic = 0;
        H->SlabCount--;
        H->SlabsPerClass[sizeClass]--;
        new LargeBlockHeap(_base).Free((ulong)slab << TlsfMapping.GranuleLog2);
        Interleaving.At(InterleavingPoint.SlabListMove);
    }

    private void PushPartial(int sizeClass, uint slab)
    {
        SlabHeader* header = Slab(slab);
        uint head = H->PartialSlabs[sizeClass];
        header->State = SlabHeader.Partial;
        header->Next = head;
        header->Prev = 0;
        if (head != 0)
            Slab(head)->Prev = slab;
        H->PartialSlabs[sizeClass] = slab;
        Interleaving.At(InterleavingPoint.SlabListMove);
    }

    private void RemovePartial(int sizeClass, uint slab)
    {
        SlabHeader* header = Slab(slab);
        if (header->Prev != 0)
            Slab(header->Prev)->Next = header->Next;
        else
            H->PartialSlabs[sizeClass] = header->Next;
        if (header->Next != 0)
            Slab(header->Next)->Prev = header->Prev;
        header->Next = header->Prev = 0;
        Interleaving.At(InterleavingPoint.SlabListMove);
    }
}
