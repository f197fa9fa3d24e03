using System.Runtime.InteropServices;

namespace AreaMalloc.Slabs;

/// <summary>
/// The slab heap's control block, kept inside the pool header (so it moves with the area): per size class the list of
/// partial slabs, the spare, and how many slabs exist.
/// Invariants (checked by the slab walk): a slab is on its class's partial list iff its state is Partial, or Spare when
/// the spare stayed on the list; SpareSlabs[c] is 0 or the one empty slab class c keeps; SlabsPerClass sums to
/// <see cref="SlabCount"/>, and <see cref="SpareSlabCount"/> counts the non-zero SpareSlabs.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SlabDirectory
{
    /// <summary>Per class: head of the list of slabs that have a free object (granule index of the slab block, or 0).</summary>
    public fixed uint PartialSlabs[SizeClasses.Count];

    /// <summary>Per class: one empty slab kept for reuse (or 0), so a malloc/free pair does not build and tear down a slab. It stays on its partial list.</summary>
    public fixed uint SpareSlabs[SizeClasses.Count];

    /// <summary>Per class: slabs that exist (partial, full and spare).</summary>
    public fixed int SlabsPerClass[SizeClasses.Count];

    /// <summary>Slabs that exist, spares included.</summary>
    public int SlabCount;

    /// <summary>Empty slabs kept for reuse (at most one per class).</summary>
    public int SpareSlabCount;
}
