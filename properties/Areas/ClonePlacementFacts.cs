using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// Where a clone goes: B_EXACT_ADDRESS exactly at a free address, B_BASE_ADDRESS at or above one. These facts free a
/// range and map it again, so they run alone (<see cref="AddressSpaceCollection"/>).
/// </summary>
[Collection(AddressSpaceCollection.Name)]
public sealed unsafe class ClonePlacementFacts : IDisposable
{
    private static readonly nuint Size = 2 * B_PAGE_SIZE;

    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;
    private readonly int _source;

    public ClonePlacementFacts()
    {
        _areas = new AreaRegistry(_backend);
        nint address = 0;
        _source = _areas.CreateArea("source", ref address, B_ANY_ADDRESS, Size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA | B_CLONEABLE_AREA);
        Assert.True(_source > 0);
        ((byte*)address)[1] = 0x21;
    }

    public void Dispose()
    {
        foreach (AreaInfo area in _areas.Snapshot())
        {
            _areas.DeleteArea(area.Id);
        }
    }

    /// <summary>An address range of <see cref="Size"/> bytes that was just mapped and unmapped, so nothing maps it now.</summary>
    private nint FreeRange()
    {
        nint probe = 0;
        int id = _areas.CreateArea("probe", ref probe, B_ANY_ADDRESS, Size, B_NO_LOCK, B_READ_AREA);
        _areas.DeleteArea(id);
        return probe;
    }

    [SpecRow("clone-exact-or-base-address")]
    [Fact]
    public void A_B_EXACT_ADDRESS_clone_maps_the_source_exactly_at_a_free_address()
    {
        nint at = FreeRange(), address = at;

        int clone = _areas.CloneArea("exact", ref address, B_EXACT_ADDRESS, B_READ_AREA, _source);

        Assert.True(clone > 0, $"status {clone}");
        Assert.Equal(at, address);
        Assert.Equal(0x21, ((byte*)at)[1]);
        Assert.Equal(Placement.Exact, _backend.MapRequests[^1].Placement);
        Assert.Equal(B_OK, _areas.GetAreaInfo(clone, out AreaInfo info));
        Assert.Equal((at, B_EXACT_ADDRESS), (info.Address, info.AddressSpec));
    }

    [SpecRow("clone-exact-or-base-address")]
    [Fact]
    public void A_B_EXACT_ADDRESS_clone_over_a_mapping_is_B_NO_MEMORY_and_clobbers_nothing()
    {
        Assert.Equal(B_OK, _areas.GetAreaInfo(_source, out AreaInfo source));
        nint address = source.Address;

        Assert.Equal(B_NO_MEMORY, _areas.CloneArea("exact", ref address, B_EXACT_ADDRESS, B_READ_AREA, _source));
        Assert.Equal(source.Address, address);
        Assert.Equal(0x21, ((byte*)source.Address)[1]);
    }

    [SpecRow("clone-exact-or-base-address")]
    [Fact]
    public void A_B_BASE_ADDRESS_clone_maps_the_source_at_or_above_the_address()
    {
        nint at = FreeRange(), address = at;

        int clone = _areas.CloneArea("base", ref address, B_BASE_ADDRESS, B_READ_AREA, _source);

        Assert.True(clone > 0, $"status {clone}");
        Assert.True((nuint)address >= (nuint)at, $"0x{address:x} is below 0x{at:x}");
        Assert.Equal(0x21, ((byte*)address)[1]);
        Assert.Equal(new MapRequest(Size, Placement.AtOrAbove, at, PageAccess.Read, false), _backend.MapRequests[^1] with { Memory = null });
    }
}
