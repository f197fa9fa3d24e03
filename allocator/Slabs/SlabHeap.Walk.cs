using AreaMalloc.Format;
using AreaMalloc.Hardening;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Slabs;

/// <summary>What a walk of the slabs counted.</summary>
internal unsafe struct SlabTally
{
    /// <summary>Slabs found, and of them spares and slabs that must be on a partial list.</summary>
    public int Slabs, Spares, PartialSlabs;

    /// <summary>Live objects over all slabs, and their bytes.</summary>
    public long LiveObjects;
    public ulong LiveBytes;

    /// <summary>Pages of objects over all slabs (each given to its slab by the page map).</summary>
    public ulong Pages;

    /// <summary>Slabs found per class.</summary>
    public fixed int PerClass[SizeClasses.Count];
}

/// <summary>
/// The slab heap's own walk, for the pool's integrity walker: each slab's header (keyed magic, class, shape, counts),
/// its page-map entries, its free list (every link decodes to a free object of the slab, with its poison when poison is
/// on), its live objects against the live map, its state against its list membership; then the partial lists and the
/// per-class counts. Reads only: it reports, it records no damage.
/// </summary>
internal readonly unsafe partial struct SlabHeap
{
    /// <summary>The slab block at <paramref name="offset"/> of <paramref name="size"/> bytes: null, or the first broken invariant (<paramref name="at"/> names the object at fault when it is not the slab).</summary>
    public string? CheckSlab(ulong offset, ulong size, ref SlabTally t, ref ulong at)
    {
        SlabHeader* slab = (SlabHeader*)(_base + BlockFormat.PayloadOf(offset));
        uint self = Granules.IndexOf(offset);
        int c = slab->SizeClass;
        if (slab->Magic != MagicOf(self) || c >= SizeClasses.Count)
            return $"slab at 0x{offset:x} has a damaged header (its keyed magic or class is wrong)";
        // A slab has from MinSlabPages to SlabPages whole pages (fewer than SlabPages only when carved from a shorter run).
        int pages = (int)(size / B_PAGE_SIZE);
        ulong objects = offset + SlabHeader.PrefixSize, end = offset + (ulong)pages * B_PAGE_SIZE;
        if (offset % B_PAGE_SIZE != 0 || pages < SizeClasses.MinSlabPages(c) || pages > SizeClasses.SlabPages(c)
            || offset + size - end >= LargeBlocks.LargeBlockHeap.MinBlockSize)
            return $"slab at 0x{offset:x} does not have the shape of a class-{c} slab";
        if (slab->ObjectSize != SizeClasses.SizeOf(c) || slab->Capacity != SizeClasses.ObjectsIn(pages, c)
            || slab->Live > slab->Capacity || slab->Bump > slab->Capacity)
            return $"slab at 0x{offset:x} has inconsistent counts";
        for (ulong p = objects / B_PAGE_SIZE; p < objects / B_PAGE_SIZE + (ulong)pages; p++)
            if (_pageMap[p] != self)
                return $"page {p} of slab at 0x{offset:x} is not mapped to it";
        string? list = CheckFreeObjects(offset, slab, objects, ref at, out ulong free);
        if (list is not null)
            return list;
        if (slab->Live + free + (slab->Capacity - slab->Bump) != slab->Capacity)
            return $"slab at 0x{offset:x}: live {slab->Live} + free {free} + uncarved {slab->Capacity - slab->Bump} != capacity {slab->Capacity}";
        if ((ulong)_liveMap.Count(offset, offset + size) != slab->Live)
            return $"slab at 0x{offset:x} counts {slab->Live} live objects, the live map {_liveMap.Count(offset, offset + size)}";
        bool stateOk = slab->State switch
        {
            SlabHeader.Full => slab->Live == slab->Capacity,
            SlabHeader.Spare => slab->Live == 0 && H->SpareSlabs[c] == self,
            SlabHeader.Partial => slab->Live > 0 && slab->Live < slab->Capacity,
            _ => false,
        };
        if (!stateOk)
            return $"slab at 0x{offset:x} is in state {slab->State} with {slab->Live} of {slab->Capacity} live";
        t.LiveObjects += slab->Live;
        t.LiveBytes += slab->Live * (ulong)slab->ObjectSize;
        t.Pages += (ulong)pages;
        t.Slabs++;
        t.PerClass[c]++;
        if (slab->State == SlabHeader.Spare)
            t.Spares++;
        // A spare may stay on its partial list (it was the class's only partial slab when it emptied).
        if (slab->State == SlabHeader.Partial || (slab->State == SlabHeader.Spare && (H->PartialSlabs[c] == self || slab->Prev != 0)))
            t.PartialSlabs++;
        return null;
    }

    /// <summary>
    /// The partial lists (each holds intact partial or spare slabs of its class, linked both ways, together the
    /// <see cref="SlabTally.PartialSlabs"/> the walk found) and the per-class counts against the slabs found.
    /// </summary>
    public string? CheckLists(ref SlabTally t, ref ulong at)
    {
        int partial = 0;
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            uint prev = 0;
            for (uint g = H->PartialSlabs[c]; g != 0; g = Slab(g)->Next)
            {
                SlabHeader* slab = Slab(g);
                at = Granules.OffsetOf(g);
                if (++partial > t.PartialSlabs || slab->Magic != MagicOf(g) || slab->SizeClass != c
                    || (slab->State != SlabHeader.Partial && slab->State != SlabHeader.Spare) || slab->Prev != prev)
                    return $"partial list of class {c} is damaged at slab 0x{at:x}";
                prev = g;
            }
            if (t.PerClass[c] != H->SlabsPerClass[c])
                return $"class {c} counts {H->SlabsPerClass[c]} slabs, the heap has {t.PerClass[c]}";
        }
        return partial != t.PartialSlabs ? $"the partial lists hold {partial} slabs, the heap {t.PartialSlabs}" : null;
    }

    /// <summary>The free list of the slab at <paramref name="offset"/>: every link decodes to a free object of the slab, in order, with its poison; how many it holds.</summary>
    private string? CheckFreeObjects(ulong offset, SlabHeader* slab, ulong objects, ref ulong at, out ulong free)
    {
        free = 0;
        ulong holder = 0;
        for (uint g = slab->FreeHead; g != 0; g = _guard.Keys.Decode(*(uint*)(_base + Granules.OffsetOf(g)), Granules.OffsetOf(g)))
        {
            ulong obj = Granules.OffsetOf(g);
            if (++free > slab->Capacity || obj < objects || obj >= objects + slab->Bump * (ulong)slab->ObjectSize
                || (obj - objects) % slab->ObjectSize != 0 || _liveMap.IsSet(obj))
            {
                if (holder == 0)
                    return $"free list of slab at 0x{offset:x} is damaged at 0x{obj:x}";
                at = holder;
                return $"free list of slab at 0x{offset:x} is damaged: the link in the free object at 0x{holder:x} decodes to 0x{obj:x}, which is not a free object of the slab (or the list cycles)";
            }
            string? poison = _guard.Poison ? PoisonFill.BreakIn(_base, obj + SlabHeader.LinkBytes, obj + slab->ObjectSize, _large.DirtyHighWater) : null;
            if (poison is not null)
            {
                at = obj;
                return $"use-after-free write in the free object at 0x{obj:x} of the slab at 0x{offset:x}: {poison}";
            }
            holder = obj;
        }
        return null;
    }
}
