using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.Specs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// create_area's address spec against every kind of address (NULL, a free page-aligned address, a misaligned one, the
/// address of a live area): the exact status and the exact address written back, one row of SEMANTICS.md's
/// "address spec against each kind of address" table per case. A live area is checked unclobbered after each case.
/// </summary>
[Collection(AddressSpaceCollection.Name)]
public sealed unsafe class AddressSpecMatrixFacts : IDisposable
{
    private const nuint Size = 4 * B_PAGE_SIZE;
    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;

    /// <summary>A live area (the "occupied" address) holding a marker byte, and a free page-aligned address next to nothing.</summary>
    private readonly int _live;
    private readonly nint _occupied, _free;

    public AddressSpecMatrixFacts()
    {
        _areas = new AreaRegistry(_backend);
        nint at = 0;
        _live = _areas.CreateArea("live", ref at, B_ANY_ADDRESS, Size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        _occupied = at;
        ((byte*)_occupied)[100] = 0x5A;
        _free = ProbeFree();
    }

    /// <summary>An aligned address that was free a moment ago: the place of an area created and deleted at once.</summary>
    private nint ProbeFree()
    {
        nint probe = 0;
        int freed = _areas.CreateArea("probe", ref probe, B_ANY_ADDRESS, Size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.True(freed > 0, $"the probe area could not be created ({freed})");
        Assert.Equal(B_OK, _areas.DeleteArea(freed));
        return probe;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> with a freshly probed free address until it maps there, at most
    /// <see cref="FreeAddressAttempts"/> times. Another thread of the test process (the runtime, a coverage collector) may
    /// map into the hole between the probe and the call; an allocator that does not honour the address fails every attempt.
    /// </summary>
    private void AtAFreeAddress(Func<nint, (int Status, nint Address)> attempt, int expected, string what)
    {
        var tries = new List<string>();
        for (int i = 0; i < FreeAddressAttempts; i++)
        {
            nint given = ProbeFree();
            (int status, nint address) = attempt(given);
            if (status == expected && address == given)
                return;
            tries.Add($"asked 0x{given:x}: status {status}, area at 0x{address:x}");
        }
        Assert.Fail($"{what}: expected status {expected} and the area exactly at the free address asked, in one of {FreeAddressAttempts} attempts with a fresh free address; actual: {string.Join("; ", tries)}");
    }

    private const int FreeAddressAttempts = 5;

    public void Dispose()
    {
        Assert.Equal(0x5A, ((byte*)_occupied)[100]);
        _areas.DeleteArea(_live);
        Assert.Equal(0, _areas.Count);
    }

    private nint Given(string kind) => kind switch
    {
        "null" => 0,
        "aligned" => _free,
        "unaligned" => _free + 0x10,
        "occupied" => _occupied,
        _ => throw new ArgumentException("unknown kind of address: " + kind, nameof(kind)),
    };

    /// <summary>Creates the area; returns the status and the address written back; deletes what was created.</summary>
    private (int Status, nint Address) Create(uint spec, string kind) => CreateAt(spec, Given(kind));

    private (int Status, nint Address) CreateAt(uint spec, nint given)
    {
        nint address = given;
        int before = _areas.Count;
        int id = _areas.CreateArea("case", ref address, spec, Size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        if (id > 0)
        {
            Assert.Equal(B_OK, _areas.GetAreaInfo(id, out AreaInfo info));
            Assert.True(info.Address == address, $"get_area_info says 0x{info.Address:x}, create_area wrote back 0x{address:x}");
            Assert.True((ulong)address % B_PAGE_SIZE == 0, $"the area starts at 0x{address:x}, not page-aligned");
            Assert.True((ulong)address + Size <= (ulong)_occupied || (ulong)address >= (ulong)_occupied + Size,
                $"the new area at 0x{address:x} overlaps the live area at 0x{_occupied:x}");
            Assert.Equal(B_OK, _areas.DeleteArea(id));
            return (B_OK, address);
        }

        Assert.True(_areas.Count == before, $"a refused create_area ({id}) registered an area");
        return (id, address);
    }

    [Theory]
    [InlineData(B_ANY_ADDRESS, "null"), InlineData(B_ANY_ADDRESS, "aligned"), InlineData(B_ANY_ADDRESS, "unaligned"), InlineData(B_ANY_ADDRESS, "occupied")]
    [InlineData(B_ANY_KERNEL_ADDRESS, "null"), InlineData(B_ANY_KERNEL_ADDRESS, "aligned"), InlineData(B_ANY_KERNEL_ADDRESS, "unaligned"), InlineData(B_ANY_KERNEL_ADDRESS, "occupied")]
    [SpecRow("create_area.B_ANY_ADDRESS.null"), SpecRow("create_area.B_ANY_ADDRESS.aligned"), SpecRow("create_area.B_ANY_ADDRESS.unaligned"), SpecRow("create_area.B_ANY_ADDRESS.occupied")]
    [SpecRow("create_area.B_ANY_KERNEL_ADDRESS.null"), SpecRow("create_area.B_ANY_KERNEL_ADDRESS.aligned"), SpecRow("create_area.B_ANY_KERNEL_ADDRESS.unaligned"), SpecRow("create_area.B_ANY_KERNEL_ADDRESS.occupied")]
    [SpecRow("area-any-address")]
    public void Any_address_ignores_the_address_given_and_maps_anywhere(uint spec, string kind)
    {
        (int status, nint address) = Create(spec, kind);
        Assert.Equal(B_OK, status);
        Assert.True(address != 0, "no address was written back");
        Assert.Equal(Placement.Anywhere, _backend.MapRequests[^1].Placement);
    }

    [Theory]
    [InlineData("null"), InlineData("aligned"), InlineData("unaligned"), InlineData("occupied")]
    [SpecRow("create_area.B_ANY_KERNEL_BLOCK_ADDRESS.null"), SpecRow("create_area.B_ANY_KERNEL_BLOCK_ADDRESS.aligned")]
    [SpecRow("create_area.B_ANY_KERNEL_BLOCK_ADDRESS.unaligned"), SpecRow("create_area.B_ANY_KERNEL_BLOCK_ADDRESS.occupied")]
    [SpecRow("area-block-address")]
    public void Any_kernel_block_address_ignores_the_address_and_aligns_to_the_size(string kind)
    {
        (int status, nint address) = Create(B_ANY_KERNEL_BLOCK_ADDRESS, kind);
        Assert.Equal(B_OK, status);
        Assert.True((ulong)address % Size == 0, $"0x{address:x} is not aligned to {Size} bytes");
    }

    [Theory]
    [InlineData("null", B_BAD_VALUE), InlineData("aligned", B_OK), InlineData("unaligned", B_BAD_VALUE), InlineData("occupied", B_NO_MEMORY)]
    [SpecRow("create_area.B_EXACT_ADDRESS.null"), SpecRow("create_area.B_EXACT_ADDRESS.aligned")]
    [SpecRow("create_area.B_EXACT_ADDRESS.unaligned"), SpecRow("create_area.B_EXACT_ADDRESS.occupied")]
    [SpecRow("area-exact-address")]
    public void Exact_address_maps_exactly_at_a_free_aligned_address_and_refuses_every_other(string kind, int expected)
    {
        if (kind == "aligned")
        {
            AtAFreeAddress(free => CreateAt(B_EXACT_ADDRESS, free), expected, "B_EXACT_ADDRESS at a free aligned address");
            return;
        }
        nint given = Given(kind);
        (int status, nint address) = Create(B_EXACT_ADDRESS, kind);
        Assert.Equal(expected, status);
        Assert.True(address == given, $"expected the area at (or the address left at) 0x{given:x}, actual 0x{address:x}");
    }

    [Theory]
    [InlineData("null", B_OK), InlineData("aligned", B_OK), InlineData("unaligned", B_BAD_VALUE), InlineData("occupied", B_OK)]
    [SpecRow("create_area.B_BASE_ADDRESS.null"), SpecRow("create_area.B_BASE_ADDRESS.aligned")]
    [SpecRow("create_area.B_BASE_ADDRESS.unaligned"), SpecRow("create_area.B_BASE_ADDRESS.occupied")]
    [SpecRow("area-base-address")]
    public void Base_address_maps_at_or_above_an_aligned_address_and_refuses_a_misaligned_one(string kind, int expected)
    {
        if (kind == "aligned")
        {
            AtAFreeAddress(free => CreateAt(B_BASE_ADDRESS, free), expected, "B_BASE_ADDRESS at a free aligned address");
            return;
        }
        nint given = Given(kind);
        (int status, nint address) = Create(B_BASE_ADDRESS, kind);
        Assert.Equal(expected, status);
        switch (kind)
        {
            case "occupied":
                Assert.True((ulong)address >= (ulong)given + Size, $"the area at 0x{address:x} is not above the live area at 0x{given:x}");
                break;
            case "unaligned":
                Assert.Equal(given, address);
                break;
            default:
                Assert.True(address != 0, "no address was written back");
                break;
        }
    }

    [Theory]
    [InlineData("null"), InlineData("aligned"), InlineData("unaligned"), InlineData("occupied")]
    [SpecRow("create_area.B_CLONE_ADDRESS.null"), SpecRow("create_area.B_CLONE_ADDRESS.aligned")]
    [SpecRow("create_area.B_CLONE_ADDRESS.unaligned"), SpecRow("create_area.B_CLONE_ADDRESS.occupied")]
    [SpecRow("area-clone-or-unknown-spec")]
    public void Clone_address_is_for_clone_area_only_whatever_the_address(string kind)
    {
        int calls = _backend.Calls.Count;
        (int status, nint address) = Create(B_CLONE_ADDRESS, kind);
        Assert.Equal(B_BAD_VALUE, status);
        Assert.Equal(Given(kind), address);
        Assert.Equal(calls, _backend.Calls.Count);
    }
}
