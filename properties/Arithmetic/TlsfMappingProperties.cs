using AreaMalloc.LargeBlocks;
using AreaMalloc.Properties.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Arithmetic;

/// <summary>The two-level segregated-fit mapping of <see cref="TlsfMapping"/>.</summary>
[Expensive(1)]
public sealed class TlsfMappingProperties
{
    /// <summary>Block sizes (multiples of 16, 32 to MaxBlockSize) spread over every power of two, list bounds often.</summary>
    private static Arbitrary<ulong> BlockSize { get; } = Arb.From(
        from log2 in Gen.Choose(5, TlsfMapping.FlMaxLog2 - 1)
        from fraction in Gen.Choose(0, int.MaxValue)
        from exact in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from nudge in Gen.Choose(-1, 1)
        select SizeFrom(log2, fraction, exact, nudge));

    [BudgetedProperty]
    public Property A_free_block_is_filed_in_the_list_whose_range_holds_its_size() => Prop.ForAll(BlockSize, size =>
    {
        (int fl, int sl) = TlsfMapping.MapInsert(size);
        Assert.InRange(fl, 0, TlsfMapping.FlCount - 1);
        Assert.InRange(sl, 0, TlsfMapping.SlCount - 1);
        Assert.True(TlsfMapping.ListLowerBound(fl, sl) <= size, $"{size} filed in list ({fl},{sl}) starting at {TlsfMapping.ListLowerBound(fl, sl)}");
        (int nfl, int nsl) = sl + 1 < TlsfMapping.SlCount ? (fl, sl + 1) : (fl + 1, 0);
        Assert.True(nfl >= TlsfMapping.FlCount || TlsfMapping.ListLowerBound(nfl, nsl) > size,
            $"{size} filed in list ({fl},{sl}) but the next list starts at {TlsfMapping.ListLowerBound(nfl, nsl)}");
    });

    [BudgetedProperty]
    public Property A_search_starts_at_the_first_list_whose_every_block_fits() => Prop.ForAll(BlockSize, size =>
    {
        (int fl, int sl) = TlsfMapping.MapSearch(size);
        if (fl >= TlsfMapping.FlCount)
        {
            // Only sizes in the top list's range round past the last list; the heap then scans that list.
            Assert.True(TlsfMapping.MapInsert(size).Fl == TlsfMapping.FlCount - 1, $"{size} rounds past the lists");
            return;
        }

        Assert.True(TlsfMapping.ListLowerBound(fl, sl) >= size, $"a search for {size} starts at list ({fl},{sl}) of blocks from {TlsfMapping.ListLowerBound(fl, sl)}");
        (int pfl, int psl) = sl > 0 ? (fl, sl - 1) : (fl - 1, TlsfMapping.SlCount - 1);
        Assert.True(pfl < 0 || TlsfMapping.ListLowerBound(pfl, psl) < size,
            $"a search for {size} skips list ({pfl},{psl}) whose blocks (from {TlsfMapping.ListLowerBound(pfl, psl)}) all fit");
    });

    [BudgetedProperty]
    public Property The_insert_mapping_is_monotonic() => Prop.ForAll(BlockSize, BlockSize, (a, b) =>
    {
        (ulong lo, ulong hi) = a <= b ? (a, b) : (b, a);
        (int fl1, int sl1) = TlsfMapping.MapInsert(lo);
        (int fl2, int sl2) = TlsfMapping.MapInsert(hi);
        Assert.True(fl1 < fl2 || (fl1 == fl2 && sl1 <= sl2), $"{lo} maps to ({fl1},{sl1}), above {hi} at ({fl2},{sl2})");
    });

    [BudgetedProperty]
    public Property A_list_lower_bound_maps_back_to_its_own_list() => Prop.ForAll(
        Arb.From(from fl in Gen.Choose(0, TlsfMapping.FlCount - 1) from sl in Gen.Choose(fl == 0 ? 2 : 0, TlsfMapping.SlCount - 1) select (fl, sl)),
        list =>
        {
            ulong bound = TlsfMapping.ListLowerBound(list.fl, list.sl);
            Assert.Equal(0UL, bound % Granules.Bytes);
            Assert.Equal(list, TlsfMapping.MapInsert(bound));
        });

    private static ulong SizeFrom(int log2, int fraction, bool exact, int nudge)
    {
        ulong low = 1UL << log2;
        ulong size = exact ? low + (ulong)(nudge * Granules.Bytes) : low + (ulong)((double)fraction / int.MaxValue * (low - 1));
        size &= ~(ulong)(Granules.Bytes - 1);
        return Math.Clamp(size, 32, TlsfMapping.MaxBlockSize);
    }
}
