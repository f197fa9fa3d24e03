using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Backends;

namespace AreaMalloc.Properties.FaultInjection;

/// <summary>
/// Regression (found by the fault-injection property): B_ANY_KERNEL_BLOCK_ADDRESS over-maps and trims both ends;
/// a trim the OS refused was ignored, so create_area succeeded and the untrimmed pages stayed mapped, owned by nobody.
/// </summary>
public sealed class AlignedAreaFaultFacts
{
    [Theory]
    [InlineData(1, 12, B_NO_MEMORY)]
    [InlineData(2, 12, B_NO_MEMORY)]
    [InlineData(1, 22, B_BAD_VALUE)]
    public void A_refused_trim_fails_create_area_and_leaves_nothing_mapped(int nthUnmap, int errno, int expected)
    {
        var backend = new FaultInjectingBackend(new FaultPlan(nthUnmap, OsCall.Unmap, errno));
        var areas = new AreaRegistry(backend);
        nint address = 0;
        int id = areas.CreateArea("aligned", ref address, B_ANY_KERNEL_BLOCK_ADDRESS, 3 * B_PAGE_SIZE, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        if (!backend.Injected)
        {
            // The over-mapping happened to be aligned at that end: no trim to refuse there.
            Assert.True(id > 0);
            backend.Armed = false;
            Assert.Equal(B_OK, areas.DeleteArea(id));
            Assert.Equal(0UL, backend.LiveBytes);
            return;
        }

        Assert.Equal(expected, id);
        Assert.Equal(0, address);
        Assert.Equal(0, areas.Count);
        Assert.Equal(0UL, backend.LiveBytes);
    }

    [Theory]
    [InlineData(1)] // the head's trim
    [InlineData(2)] // the tail's trim
    public void A_refused_trim_of_an_over_mapping_with_both_ends_to_trim_gives_back_every_page(int refusedUnmap)
    {
        // The over-mapping starts one page past an alignment boundary, so the head and the tail both need a trim
        // whatever addresses the kernel hands out; the chosen trim is refused.
        var backend = new MisalignedMappingBackend(refusedUnmap);
        var areas = new AreaRegistry(backend);
        nint address = 0;
        int id = areas.CreateArea("aligned", ref address, B_ANY_KERNEL_BLOCK_ADDRESS, 3 * B_PAGE_SIZE, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.True(backend.Refused, "the planned unmap was never asked for");
        Assert.Equal(B_NO_MEMORY, id);
        Assert.Equal(0, address);
        Assert.Equal(0, areas.Count);
        Assert.True(backend.LiveBytes == 0, $"expected every page given back; {backend.LiveBytes} bytes are still mapped");
    }
}
