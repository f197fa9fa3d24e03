using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AreaMalloc.Slabs;

/// <summary>
/// The small-request size classes, stated once. Requests of 0 to <see cref="MaxSmallSize"/> bytes are served
/// from slabs; a request of n bytes takes the smallest class of at least max(n, 1) bytes:
/// <code>
///   16  32  48  64  80  96 112 128         (16-byte steps up to 128)
///  160 192 224 256                         (4 steps per doubling from here on:
///  320 384 448 512                          the worst internal waste is 25% of a block,
///  640 768 896 1024                         at one byte over a class, e.g. 129 -> 160)
/// </code>
/// Larger requests go to the large-block allocator, whose waste is a 16-byte header and 16-byte rounding.
/// (Classes up to 2048 B were tried: on a mixed workload with few objects per class, each class's partly used
/// slab of 3 to 8 pages cost more than it saved; see docs/PERFORMANCE-LOG.md, 2026-11-25.)
/// Every class is a multiple of 16, so every object is 16-byte aligned. A slab of class c is one page-aligned
/// block of whole pages: a 64-byte prefix (block header and slab header), then the objects. Slabs therefore tile the
/// heap with no gap between them, and every page of a slab holds only that slab's bytes.
/// <para>
/// The slab span rule: a class's slabs grow to <see cref="SlabPages"/>(c) pages, the fewest (from 1) in which at least
/// 4 objects fit and the prefix plus the left-over bytes are at most 1/32 of the slab (so a class filled alone uses
/// at least 96.9% of each of its slabs): 1 page up to 224 B and for 448 B, 2 pages for 256, 320, 384 and 896 B, 3 for
/// 640 B, 4 for 512 and 768 B, 8 for 1024 B. A slab starts with <see cref="FirstSlabPages"/>(c) pages, the fewest in
/// which at least 4 objects fit and at most 1/8 is left over (1 page, 2 for 1024 B), so a class with few objects
/// holds little; each time it fills it grows in place, doubling up to its span, when the pages after it are free.
/// When no free run is as long as a new slab's first pages, it takes the longest run there is (down to 1 page with
/// at least one object), and a slab grows into as many pages as are free after it: the heap's last whole pages become
/// slabs too. What is left under a page (the heap's partial first and last page) serves small requests as large blocks.
/// </para>
/// </summary>
public static class SizeClasses
{
    /// <summary>Number of classes.</summary>
    public const int Count = 20;
    /// <summary>The largest request served from a slab; larger ones go to the large-block allocator.</summary>
    public const int MaxSmallSize = 1024;

    private static readonly ushort[] s_sizes =
    [
        16, 32, 48, 64, 80, 96, 112, 128,
        160, 192, 224, 256, 320, 384, 448, 512,
        640, 768, 896, 1024,
    ];

    /// <summary>Class index by granule count: s_byGranules[(n + 15) / 16] is the class of an n-byte request.</summary>
    private static readonly byte[] s_byGranules = BuildGranuleTable();

    private static readonly byte[] s_slabPages = BuildSlabPages();

    private static readonly byte[] s_firstSlabPages = BuildFirstSlabPages();

    /// <summary>Per class: ceil(2^64 / size), so that divisibility by the class size costs one multiply (see <see cref="IsMultipleOfSize"/>).</summary>
    private static readonly ulong[] s_divisibility = BuildDivisibility();

    /// <summary>The class of a request of <paramref name="size"/> bytes (0 to <see cref="MaxSmallSize"/>).</summary>
    /// <remarks>On the malloc fast path: the range is the caller's contract (checked in debug builds), so the
    /// lookup skips the bounds check.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ClassOf(nuint size)
    {
        Debug.Assert(size <= MaxSmallSize);
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        return Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_byGranules), (nint)((size + 15) >> 4));
    }

    /// <summary>
    /// True when <paramref name="offset"/> (below 2^32) is a multiple of the object size of class
    /// <paramref name="sizeClass"/>: validates a decoded slab free-list link without a division, on the malloc fast path.
    /// With c = ceil(2^64 / d), n is a multiple of d exactly when n * c mod 2^64 is below c (Lemire, Kaser and Kurz,
    /// "Faster remainder by direct computation", 2019).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMultipleOfSize(ulong offset, int sizeClass)
    {
        ulong c = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_divisibility), (nint)sizeClass);
        return offset * c < c;
    }

    /// <summary>The object size of class <paramref name="sizeClass"/>.</summary>
    public static int SizeOf(int sizeClass) => s_sizes[sizeClass];

    /// <summary>The most pages a slab of class <paramref name="sizeClass"/> grows to (the span rule above).</summary>
    public static int SlabPages(int sizeClass) => s_slabPages[sizeClass];

    /// <summary>The pages a new slab of class <paramref name="sizeClass"/> starts with, when a run that long is free.</summary>
    public static int FirstSlabPages(int sizeClass) => s_firstSlabPages[sizeClass];

    /// <summary>Objects in a slab of class <paramref name="sizeClass"/> of <see cref="SlabPages"/> pages.</summary>
    public static int ObjectsPerSlab(int sizeClass) => ObjectsIn(SlabPages(sizeClass), sizeClass);

    /// <summary>Objects in a slab of <paramref name="pages"/> pages of class <paramref name="sizeClass"/>.</summary>
    public static int ObjectsIn(int pages, int sizeClass) => ObjectBytes(pages) / SizeOf(sizeClass);

    /// <summary>The fewest pages of a slab of class <paramref name="sizeClass"/>: one object must fit.</summary>
    public static int MinSlabPages(int sizeClass) => ObjectsIn(1, sizeClass) > 0 ? 1 : 2;

    /// <summary>The most bytes of a slab the span rule lets go unused: the prefix and the left-over, over the slab's bytes.</summary>
    public const int WasteDivisor = 32;

    /// <summary>Bytes for objects in a slab of <paramref name="pages"/> pages: the block less its 64-byte prefix.</summary>
    public static int ObjectBytes(int pages) => pages * Be.BeConstants.B_PAGE_SIZE - SlabHeader.PrefixSize;

    private static byte[] BuildGranuleTable()
    {
        var table = new byte[MaxSmallSize / Format.Granules.Bytes + 1];
        int c = 0;
        for (int g = 0; g < table.Length; g++)
        {
            while (s_sizes[c] < Math.Max(g, 1) * Format.Granules.Bytes)
                c++;
            table[g] = (byte)c;
        }
        return table;
    }

    private static ulong[] BuildDivisibility()
    {
        var table = new ulong[Count];
        for (int c = 0; c < Count; c++)
            table[c] = ulong.MaxValue / s_sizes[c] + 1;
        return table;
    }

    private static byte[] BuildSlabPages()
    {
        var pages = new byte[Count];
        for (int c = 0; c < Count; c++)
        {
            int p = 1;
            while (p < 16 && (ObjectBytes(p) / s_sizes[c] < 4
                || (SlabHeader.PrefixSize + ObjectBytes(p) % s_sizes[c]) * WasteDivisor > p * Be.BeConstants.B_PAGE_SIZE))
                p++;
            pages[c] = (byte)p;
        }
        return pages;
    }

    private static byte[] BuildFirstSlabPages()
    {
        var pages = new byte[Count];
        for (int c = 0; c < Count; c++)
        {
            int p = 1;
            while (ObjectBytes(p) / s_sizes[c] < 4 || (ObjectBytes(p) % s_sizes[c]) * 8 > ObjectBytes(p))
                p++;
            pages[c] = (byte)p;
        }
        return pages;
    }
}
