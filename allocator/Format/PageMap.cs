using System.Runtime.CompilerServices;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Format;

/// <summary>
/// The page map of a pool: one 32-bit entry per page of its area, the granule index of the slab whose objects cover
/// that page, or 0. Invariant: an entry is non-zero exactly for the pages of a slab's objects, so the slab of any
/// object is one load away, and a block whose payload lies on a page with entry 0 is a large block.
/// </summary>
internal readonly unsafe struct PageMap
{
    private readonly uint* _entries;

    /// <summary>The page map whose first entry is at <paramref name="entries"/>.</summary>
    public PageMap(uint* entries) => _entries = entries;

    /// <summary>Bytes of the page map of an area of <paramref name="areaSize"/> bytes.</summary>
    public static ulong BytesFor(ulong areaSize) => areaSize / B_PAGE_SIZE * sizeof(uint);

    /// <summary>The slab (granule index of its block) whose objects cover the byte at <paramref name="offset"/>, or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint SlabAt(ulong offset) => _entries[offset / B_PAGE_SIZE];

    /// <summary>The entry of page <paramref name="page"/>.</summary>
    public uint this[ulong page] => _entries[page];

    /// <summary>Gives <paramref name="pages"/> pages from <paramref name="firstPage"/> on to <paramref name="slab"/> (0: to none).</summary>
    public void Assign(ulong firstPage, int pages, uint slab)
    {
        for (ulong p = 0; p < (ulong)pages; p++)
            _entries[firstPage + p] = slab;
    }

    /// <summary>How many pages lying wholly inside [<paramref name="from"/>, <paramref name="to"/>) are given to a slab.</summary>
    public ulong CountAssigned(ulong from, ulong to)
    {
        ulong count = 0;
        for (ulong p = (from + B_PAGE_SIZE - 1) / B_PAGE_SIZE; p < to / B_PAGE_SIZE; p++)
            count += _entries[p] != 0 ? 1UL : 0;
        return count;
    }
}
