using System.Runtime.CompilerServices;
using AreaMalloc.Hardening;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Format;

namespace AreaMalloc.Slabs;

/// <summary>
/// Small requests from slabs. Each class keeps a doubly linked list of partial slabs (at least one free
/// object); full slabs are on no list. A slab that empties while it is its class's only partial slab stays on the
/// list as the class's spare (at most one per class, released by Trim or when memory runs short), so that
/// malloc/free pairs do not build and tear down a slab; any other slab that empties is released at once.
/// An object is taken from the slab's free list, else carved from its never-used tail (so a new slab costs O(1),
/// whatever its object count). The caller holds the pool's lock.
/// Hardening: a slab's header is used only after its keyed magic matches; a free object's link is stored encoded and,
/// when the object is popped, decoded and validated (an object start of the same slab, below Bump, not live) before it
/// becomes the head; with poison on, freed objects are filled past their link and checked when popped. A check that
/// fails is reported to the pool's guard and the operation changes nothing.
/// </summary>
internal readonly unsafe partial struct SlabHeap
{
    private const ulong Page = Be.BeConstants.B_PAGE_SIZE;
    private readonly byte* _base;
    private readonly SlabDirectory* _directory;
    private readonly PageMap _pageMap;
    private readonly LiveMap _liveMap;
    private readonly LargeBlockHeap _large;
    private readonly HeapGuard _guard;

    /// <summary>
    /// The slab heap of the area at <paramref name="areaBase"/>: its control block <paramref name="directory"/>, the
    /// area's page and live maps, and the large-block heap its slabs are carved from.
    /// </summary>
    public SlabHeap(byte* areaBase, SlabDirectory* directory, PageMap pageMap, LiveMap liveMap, LargeBlockHeap large, HeapGuard guard)
    {
        _base = areaBase;
        _directory = directory;
        _pageMap = pageMap;
        _liveMap = liveMap;
        _large = large;
        _guard = guard;
    }

    private SlabDirectory* H => _directory;

    /// <summary>Slabs that exist, spares included.</summary>
    public int SlabCount => H->SlabCount;

    /// <summary>Empty slabs kept for reuse.</summary>
    public int SpareSlabCount => H->SpareSlabCount;

    /// <summary>Slabs of class <paramref name="sizeClass"/> that exist.</summary>
    public int SlabsOfClass(int sizeClass) => H->SlabsPerClass[sizeClass];

    /// <summary>The slab header of the slab block at granule index <paramref name="slab"/>.</summary>
    public SlabHeader* Slab(uint slab) => (SlabHeader*)(_base + BlockFormat.PayloadOf(Granules.OffsetOf(slab)));

    /// <summary>Offset of the first object of the slab block at granule index <paramref name="slab"/>.</summary>
    public static ulong ObjectsStart(uint slab) => Granules.OffsetOf(slab) + SlabHeader.PrefixSize;

    /// <summary>The slab (granule index of its block) whose objects cover <paramref name="offset"/>, or 0.</summary>
    public uint SlabOf(ulong offset) => _pageMap.SlabAt(offset);

    /// <summary>
    /// Takes one object of class <paramref name="sizeClass"/>; its offset, or 0 when no slab can be had or damage was
    /// met (then reported to the guard, and nothing changed): a slab header whose keyed magic does not match, a popped
    /// object whose decoded link is not a free object of its slab, or (with poison on) a popped object whose poison changed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Allocate(int sizeClass)
    {
        uint slab = H->PartialSlabs[sizeClass];
        if (slab == 0 && (slab = TakeSlab(sizeClass)) == 0)
            return 0;
        if (!IsIntact(slab))
            return 0;
        SlabHeader* header = Slab(slab);
        uint head = header->FreeHead;
        ulong obj = Granules.OffsetOf(head);
        uint next = 0;
        if (head != 0)
        {
            // Everything the pop will follow is checked before anything changes.
            next = _guard.Keys.Decode(*(uint*)(_base + obj), obj);
            if (next != 0 && !IsFreeObject(next, slab, header, sizeClass))
                return BadLink(obj, slab, next);
            if (_guard.Poison && PoisonBroken(obj, header->ObjectSize))
                return 0;
        }
        if (header->State == SlabHeader.Spare)
            Unspare(sizeClass, header);
        if (head != 0)
        {
            header->FreeHead = next;
            Interleaving.At(InterleavingPoint.FreeListPop);
        }
        else
            obj = ObjectsStart(slab) + (ulong)header->Bump++ * header->ObjectSize;
        if (++header->Live == header->Capacity && !Grow(slab, header))
        {
            RemovePartial(sizeClass, slab);
            header->State = SlabHeader.Full;
        }
        return obj;
    }

    /// <summary>
    /// The slab just filled grows in place, doubling up to its class's span (<see cref="SizeClasses.SlabPages"/>), or to
    /// as many whole pages as the free block after it holds: its new pages are given to it in the page map and its
    /// capacity rises, so it stays partial. False (nothing changed) when it has its span already, nothing free follows
    /// it, or the large-block heap met damage there (reported).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Grow(uint slab, SlabHeader* header)
    {
        int sizeClass = header->SizeClass, pages = PagesOf(slab);
        int span = SizeClasses.SlabPages(sizeClass);
        ulong block = Granules.OffsetOf(slab);
        // The slab's block header and neighbours are verified before the free block after it is read.
        if (pages >= span || !_large.CanFree(block, slab: true))
            return false;
        int grown = (int)Math.Min((ulong)Math.Min(2 * pages, span), _large.InPlaceRoom(block) / Page);
        if (grown <= pages || _large.TryResize(block, (ulong)grown * Page) != ResizeOutcome.Resized)
            return false;
        _pageMap.Assign(ObjectsStart(slab) / Page + (ulong)pages, grown - pages, slab);
        header->Capacity = (uint)SizeClasses.ObjectsIn(grown, sizeClass);
        Interleaving.At(InterleavingPoint.SlabListMove);
        return true;
    }

    /// <summary>The slab's header is intact: its keyed magic matches. Otherwise the damage is reported.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsIntact(uint slab) => HasMagic(slab) || BadHeader(slab);

    /// <summary>The slab's header holds its keyed magic (the check of <see cref="IsIntact"/>, reporting nothing: the lock-free paths use it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasMagic(uint slab) => Slab(slab)->Magic == MagicOf(slab);

    /// <summary>The magic an intact header of the slab at granule index <paramref name="slab"/> holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint MagicOf(uint slab) => SlabHeader.MagicValue ^ _guard.Keys.SlabSeal(slab);

    /// <summary>
    /// A decoded link may be followed: it names an object start of this slab below Bump (so carved before) that is
    /// not live. The head it becomes is then never a live object, so a pop never hands out memory that is in use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsFreeObject(uint link, uint slab, SlabHeader* header, int sizeClass)
    {
        ulong at = Granules.OffsetOf(link);
        ulong within = at - ObjectsStart(slab); // wraps to a huge value below the objects
        return within < (ulong)header->Bump * header->ObjectSize && SizeClasses.IsMultipleOfSize(within, sizeClass) && !_liveMap.IsSet(at);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool BadHeader(uint slab)
    {
        ulong offset = Granules.OffsetOf(slab);
        _guard.Report(DamageKind.SlabHeader, offset, $"the slab header of the slab at 0x{offset:x} fails its keyed magic (0x{Slab(slab)->Magic:x8} instead of 0x{MagicOf(slab):x8})");
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong BadLink(ulong obj, uint slab, uint next)
    {
        _guard.Report(DamageKind.FreeListLink, obj, $"the free-list link of the free object at 0x{obj:x} in the slab at 0x{Granules.OffsetOf(slab):x} decodes to 0x{Granules.OffsetOf(next):x}, which is not a free object of the slab");
        return 0;
    }

    /// <summary>With poison on: true (and reported) when a byte of the free object at <paramref name="obj"/>, past its link, lost its poison.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool PoisonBroken(ulong obj, uint objectSize)
    {
        long at = PoisonFill.FirstBreak(_base + obj + SlabHeader.LinkBytes, objectSize - SlabHeader.LinkBytes);
        if (at < 0)
            return false;
        ulong offset = obj + SlabHeader.LinkBytes + (ulong)at;
        _guard.Report(DamageKind.UseAfterFreeWrite, offset, $"use-after-free write: byte {SlabHeader.LinkBytes + at} of the free object at 0x{obj:x} is 0x{_base[offset]:x2}, not the poison 0x{PoisonFill.Byte:x2}");
        return true;
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

    /// <summary>
    /// True when an object may be returned to the slab at <paramref name="slab"/>: its header is intact and, when this
    /// free empties the slab and the slab is then released, the large-block heap around the slab checks out
    /// (<see cref="LargeBlockHeap.CanFree"/>). Reports the damage and returns false otherwise; changes nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool CanFree(uint slab)
    {
        if (!IsIntact(slab))
            return false;
        SlabHeader* header = Slab(slab);
        return header->Live != 1 || StaysSpare(header->SizeClass, slab, header)
            || _large.CanFree(Granules.OffsetOf(slab), slab: true);
    }

    /// <summary>
    /// Returns the object at <paramref name="obj"/> to its slab <paramref name="slab"/> (checked with
    /// <see cref="CanFree"/>): with poison on its bytes past the link get the poison, then it is pushed with its link encoded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(ulong obj, uint slab)
    {
        SlabHeader* header = Slab(slab);
        if (_guard.Poison)
            PoisonFill.Fill(_base + obj + SlabHeader.LinkBytes, header->ObjectSize - SlabHeader.LinkBytes);
        *(uint*)(_base + obj) = _guard.Keys.Encode(header->FreeHead, obj);
        header->FreeHead = Granules.IndexOf(obj);
        Interleaving.At(InterleavingPoint.FreeListPush);
        if (header->State == SlabHeader.Full)
            PushPartial(header->SizeClass, slab);
        if (--header->Live != 0)
            return;
        int sizeClass = header->SizeClass;
        if (StaysSpare(sizeClass, slab, header))
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

    /// <summary>An emptied slab stays as its class's spare: it is the class's only partial slab and the class has no spare yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool StaysSpare(int sizeClass, uint slab, SlabHeader* header) =>
        H->SpareSlabs[sizeClass] == 0 && H->PartialSlabs[sizeClass] == slab && header->Next == 0;

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

    /// <summary>
    /// Gives every spare slab back to the large-block allocator. Returns how many were released. A spare whose header,
    /// or the large-block heap around it, is damaged stays where it is (the damage is reported).
    /// </summary>
    public int ReleaseSpares()
    {
        int released = 0;
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            uint slab = H->SpareSlabs[c];
            if (slab == 0 || !IsIntact(slab) || !_large.CanFree(Granules.OffsetOf(slab), slab: true))
                continue;
            H->SpareSlabs[c] = 0;
            H->SpareSlabCount--;
            RemovePartial(c, slab); // a spare always stays on its partial list
            ReleaseSlab(slab);
            released++;
        }
        return released;
    }

    /// <summary>
    /// A new slab of class <paramref name="sizeClass"/>: <see cref="SizeClasses.FirstSlabPages"/> pages (it grows when
    /// it fills, see <see cref="Grow"/>), or when no free run is that long, the longest there is down to
    /// <see cref="SizeClasses.MinSlabPages"/>. 0 when not even that can be had, or damage was met.
    /// </summary>
    private uint CreateSlab(int sizeClass)
    {
        int pages = SizeClasses.FirstSlabPages(sizeClass);
        ulong block = _large.AllocateAligned((ulong)pages * Page, 0, Page);
        while (block == 0 && pages > SizeClasses.MinSlabPages(sizeClass) && !_guard.Damaged)
            block = _large.AllocateAligned((ulong)--pages * Page, 0, Page);
        if (block == 0)
            return 0;
        uint slab = Granules.IndexOf(block);
        SlabHeader* header = Slab(slab);
        *header = default;
        header->Magic = MagicOf(slab);
        header->SizeClass = (ushort)sizeClass;
        header->ObjectSize = (uint)SizeClasses.SizeOf(sizeClass);
        header->Capacity = (uint)SizeClasses.ObjectsIn(pages, sizeClass);
        ulong firstPage = ObjectsStart(slab) / Page;
        _pageMap.Assign(firstPage, pages, slab);
        H->SlabCount++;
        H->SlabsPerClass[sizeClass]++;
        Interleaving.At(InterleavingPoint.SlabListMove);
        return slab;
    }

    /// <summary>The pages of the slab block at <paramref name="slab"/>, read from its block header (check-worded, unlike the slab header's fields); the block may end up to 31 bytes past its last page.</summary>
    private int PagesOf(uint slab) => (int)((_large.PayloadBytes(Granules.OffsetOf(slab)) + BlockFormat.HeaderBytes) / Page);

    private void ReleaseSlab(uint slab)
    {
        SlabHeader* header = Slab(slab);
        int sizeClass = header->SizeClass;
        int pages = PagesOf(slab);
        ulong firstPage = ObjectsStart(slab) / Page;
        _pageMap.Assign(firstPage, pages, 0);
        header->Magic = 0;
        H->SlabCount--;
        H->SlabsPerClass[sizeClass]--;
        _large.Free(Granules.OffsetOf(slab));
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
