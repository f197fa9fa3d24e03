using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// clone_area within one process, over the real kernel: which areas are shared memory, what a clone maps and reports,
/// that deleting either side leaves the other intact, and the Be status of every refusal (nothing mapped, nothing open,
/// the source untouched). The reference is Haiku's vm_clone_area (a team cloning its own area).
/// </summary>
public sealed unsafe class CloneAreaFacts : IDisposable
{
    private const uint ReadWrite = B_READ_AREA | B_WRITE_AREA;
    private const uint Shared = ReadWrite | B_CLONEABLE_AREA;
    private static readonly nuint Size = 4 * B_PAGE_SIZE;

    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;

    public CloneAreaFacts() => _areas = new AreaRegistry(_backend);

    public void Dispose()
    {
        foreach (AreaInfo area in _areas.Snapshot())
        {
            _areas.DeleteArea(area.Id);
        }
    }

    private int Create(uint protection = Shared, uint lockSpec = B_NO_LOCK, uint addressSpec = B_ANY_ADDRESS, nuint? size = null)
    {
        nint address = 0;
        int id = _areas.CreateArea("source", ref address, addressSpec, size ?? Size, lockSpec, protection);
        Assert.True(id > 0, $"create_area failed with {id}");
        return id;
    }

    private int Clone(int source, uint protection = ReadWrite, uint addressSpec = B_ANY_ADDRESS, nint at = 0, string name = "clone")
    {
        nint address = at;
        return _areas.CloneArea(name, ref address, addressSpec, protection, source);
    }

    private AreaInfo Info(int id)
    {
        Assert.Equal(B_OK, _areas.GetAreaInfo(id, out AreaInfo info));
        return info;
    }

    [SpecRow("clone-cloneable-area")]
    [Fact]
    public void A_cloneable_area_is_shared_memory_and_an_area_without_B_CLONEABLE_AREA_is_private_anonymous_memory()
    {
        (string sharedPermissions, string sharedPath) = ProcMapsLine.At(Info(Create()).Address);
        (string privatePermissions, string privatePath) = ProcMapsLine.At(Info(Create(ReadWrite)).Address);

        Assert.Equal("rw-s", sharedPermissions);
        Assert.StartsWith("/memfd:area_malloc:", sharedPath, StringComparison.Ordinal);
        Assert.Equal("rw-p", privatePermissions);
        Assert.DoesNotContain("memfd", privatePath, StringComparison.Ordinal);
        Assert.Equal(1, _backend.OpenMemories);
    }

    [SpecRow("clone-any-address")]
    [Fact]
    public void A_clone_maps_the_same_bytes_at_another_address_both_ways()
    {
        int source = Create();
        int clone = Clone(source);
        Assert.True(clone > 0, $"clone_area failed with {clone}");
        byte* s = (byte*)Info(source).Address, c = (byte*)Info(clone).Address;

        Assert.NotEqual((nint)s, (nint)c);
        s[0] = 0x11;
        s[Size - 1] = 0x22;
        c[B_PAGE_SIZE] = 0x33;
        Assert.Equal(0x11, c[0]);
        Assert.Equal(0x22, c[Size - 1]);
        Assert.Equal(0x33, s[B_PAGE_SIZE]);
        Assert.True(_areas.SharesMemory(source, clone));
    }

    [SpecRow("clone-area-info")]
    [Fact]
    public void Get_area_info_of_a_clone_gives_its_own_id_name_address_spec_and_protection_and_the_sources_size_and_lock()
    {
        int source = Create(lockSpec: B_LAZY_LOCK);
        int clone = Clone(source, B_READ_AREA, name: new string('c', 40));
        AreaInfo s = Info(source), c = Info(clone);

        Assert.Equal(clone, c.Id);
        Assert.NotEqual(source, c.Id);
        Assert.Equal(new string('c', B_OS_NAME_LENGTH - 1), c.Name);
        Assert.NotEqual(s.Address, c.Address);
        Assert.Equal(s.Size, c.Size);
        Assert.Equal(B_LAZY_LOCK, c.Lock);
        Assert.Equal(B_READ_AREA, c.Protection);
        Assert.Equal(B_ANY_ADDRESS, c.AddressSpec);
        Assert.Equal("r--s", ProcMapsLine.At(c.Address).Permissions);
        Assert.Equal(new[] { source, clone }, _areas.Snapshot().Select(a => a.Id));
    }

    [SpecRow("clone-delete")]
    [Fact]
    public void Deleting_the_source_leaves_the_clone_intact_and_the_memory_closes_with_its_last_area()
    {
        int source = Create();
        ((byte*)Info(source).Address)[5] = 0x5A;
        int clone = Clone(source);

        Assert.Equal(B_OK, _areas.DeleteArea(source));
        Assert.Equal(B_BAD_VALUE, _areas.GetAreaInfo(source, out _));
        byte* c = (byte*)Info(clone).Address;
        Assert.Equal(0x5A, c[5]);
        c[6] = 0x6B;
        Assert.Equal(0x6B, c[6]);
        Assert.Equal(1, _backend.OpenMemories);

        Assert.Equal(B_OK, _areas.DeleteArea(clone));
        Assert.Equal(0, _backend.OpenMemories);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("clone-delete")]
    [Fact]
    public void Deleting_a_clone_leaves_the_source_intact()
    {
        int source = Create();
        int clone = Clone(source);
        ((byte*)Info(clone).Address)[7] = 0x77;

        Assert.Equal(B_OK, _areas.DeleteArea(clone));
        Assert.Equal(0x77, ((byte*)Info(source).Address)[7]);
        Assert.False(_areas.SharesMemory(source, clone));
        Assert.Equal(1, _backend.OpenMemories);
        Assert.Equal((long)Size, _backend.MappedBytes);
    }

    [Fact]
    public void A_clone_of_a_clone_maps_the_same_memory_and_outlives_both()
    {
        int source = Create();
        int first = Clone(source);
        int second = Clone(first, B_READ_AREA);
        ((byte*)Info(source).Address)[9] = 0x99;
        _areas.DeleteArea(source);
        _areas.DeleteArea(first);

        Assert.Equal(0x99, ((byte*)Info(second).Address)[9]);
        Assert.Equal(1, _backend.OpenMemories);
    }

    [SpecRow("clone-protection")]
    [Fact]
    public void The_same_team_may_clone_its_read_only_area_writable_as_Haiku_allows()
    {
        int source = Create(B_READ_AREA | B_CLONEABLE_AREA);
        int clone = Clone(source, ReadWrite);
        Assert.True(clone > 0, $"status {clone}");
        ((byte*)Info(clone).Address)[0] = 1;

        Assert.Equal(1, ((byte*)Info(source).Address)[0]);
        Assert.Equal("r--s", ProcMapsLine.At(Info(source).Address).Permissions);
    }

    [SpecRow("clone-source")]
    [Fact]
    public void A_missing_or_deleted_source_is_B_BAD_VALUE_and_maps_nothing()
    {
        int deleted = Create();
        _areas.DeleteArea(deleted);
        int calls = _backend.Calls.Count;

        Assert.Equal(B_BAD_VALUE, Clone(deleted));
        Assert.Equal(B_BAD_VALUE, Clone(12345));
        Assert.Equal(B_BAD_VALUE, Clone(0));
        Assert.Equal(B_BAD_VALUE, Clone(-1));
        Assert.Equal(calls, _backend.Calls.Count);
        Assert.Equal(0, _areas.Count);
    }

    [SpecRow("clone-source")]
    [Fact]
    public void A_private_area_is_B_NOT_ALLOWED_because_its_pages_cannot_be_mapped_again()
    {
        int source = Create(ReadWrite);
        int calls = _backend.Calls.Count;

        Assert.Equal(B_NOT_ALLOWED, Clone(source));
        Assert.Equal(calls, _backend.Calls.Count);
        Assert.Equal(1, _areas.Count);
        Assert.False(_areas.SharesMemory(source, source));
    }

    [SpecRow("clone-kernel-or-unknown-spec")]
    [Theory]
    [InlineData(B_ANY_KERNEL_ADDRESS, 0L)]
    [InlineData(B_ANY_KERNEL_BLOCK_ADDRESS, 0L)]
    [InlineData(6u, 0L)]
    [InlineData(99u, 0L)]
    [InlineData(B_EXACT_ADDRESS, 0L)]
    [InlineData(B_EXACT_ADDRESS, 0x7000_0000_0100L)]
    [InlineData(B_BASE_ADDRESS, 0x7000_0000_0010L)]
    public void A_kernel_unknown_or_misplaced_address_spec_is_B_BAD_VALUE_before_any_OS_call(uint addressSpec, long at)
    {
        int source = Create();
        int calls = _backend.Calls.Count;

        Assert.Equal(B_BAD_VALUE, Clone(source, addressSpec: addressSpec, at: (nint)at));
        Assert.Equal(calls, _backend.Calls.Count);
        Assert.Equal(1, _areas.Count);
    }

    [SpecRow("clone-protection")]
    [Theory]
    [InlineData(8u)]
    [InlineData(64u)]
    [InlineData(512u)]
    [InlineData(0x8000_0000u)]
    public void Unknown_protection_bits_are_B_BAD_VALUE_before_any_OS_call(uint bit)
    {
        int source = Create();
        int calls = _backend.Calls.Count;

        Assert.Equal(B_BAD_VALUE, Clone(source, ReadWrite | bit));
        Assert.Equal(calls, _backend.Calls.Count);
    }

    [SpecRow("clone-clone-address")]
    [Fact]
    public void B_CLONE_ADDRESS_in_the_sources_own_process_asks_for_the_sources_range_which_is_taken_so_B_NO_MEMORY()
    {
        int source = Create();
        ((byte*)Info(source).Address)[0] = 0x42;
        nint address = 0;

        Assert.Equal(B_NO_MEMORY, _areas.CloneArea("clone", ref address, B_CLONE_ADDRESS, ReadWrite, source));
        Assert.Equal(0, address);
        Assert.Equal(0x42, ((byte*)Info(source).Address)[0]);
        Assert.Equal(1, _areas.Count);
        Assert.Equal(1, _backend.OpenMemories);
        Assert.Equal(MapRequestAt(Info(source).Address), _backend.MapRequests[^1] with { Memory = null });
    }

    private static MapRequest MapRequestAt(nint address) => new(Size, Placement.Exact, address, PageAccess.Read | PageAccess.Write, false);

    [SpecRow("clone-lock")]
    [Fact]
    public void A_clone_asks_for_the_clones_access_the_sources_memory_and_for_a_fully_locked_source_every_page_at_once()
    {
        int source = Create(lockSpec: B_FULL_LOCK);
        int clone = Clone(source, B_READ_AREA | B_EXECUTE_AREA);
        MapRequest request = _backend.MapRequests[^1];

        Assert.True(clone > 0, $"status {clone}");
        Assert.Equal(new MapRequest(Size, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Execute, true, _backend.MapRequests[0].Memory), request);
        Assert.NotNull(request.Memory);
        Assert.Equal(B_FULL_LOCK, Info(clone).Lock);
        Assert.Single(_backend.Locks); // the source's lock; the clone is not locked again
        Assert.Equal("r-xs", ProcMapsLine.At(Info(clone).Address).Permissions);
    }

    [SpecRow("clone-os-failure")]
    [Fact]
    public void A_clone_the_OS_cannot_map_reports_its_errno_as_a_Be_status_and_keeps_nothing()
    {
        int source = Create();
        _backend.FailMapWith = 12; // ENOMEM

        Assert.Equal(B_NO_MEMORY, Clone(source));
        _backend.FailMapWith = 22; // EINVAL
        Assert.Equal(B_BAD_VALUE, Clone(source));
        _backend.FailMapWith = 0;
        Assert.Equal(1, _areas.Count);
        _areas.DeleteArea(source);
        Assert.Equal(0, _backend.OpenMemories); // the failed clones gave their use of the memory back
        Assert.Equal(0, _backend.MappedBytes);
    }

    [Theory]
    [InlineData(12, B_NO_MEMORY)]
    [InlineData(24, B_NO_MEMORY)] // EMFILE: no descriptor left
    [InlineData(22, B_BAD_VALUE)]
    [InlineData(13, B_PERMISSION_DENIED)]
    public void A_cloneable_area_whose_memory_the_OS_refuses_is_not_made(int errno, int status)
    {
        _backend.FailCreateMemoryWith = errno;
        nint address = 0;

        Assert.Equal(status, _areas.CreateArea("shared", ref address, B_ANY_ADDRESS, Size, B_NO_LOCK, Shared));
        Assert.Equal(0, address);
        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.MappedBytes);
        Assert.DoesNotContain(_backend.Calls, c => c.StartsWith("map", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cloneable_area_that_cannot_be_mapped_or_locked_closes_its_memory()
    {
        nint address = 0;
        _backend.FailMapWith = 12;
        Assert.Equal(B_NO_MEMORY, _areas.CreateArea("shared", ref address, B_ANY_ADDRESS, Size, B_NO_LOCK, Shared));
        _backend.FailMapWith = 0;
        _backend.FailLockWith = 1;
        Assert.Equal(B_NO_MEMORY, _areas.CreateArea("shared", ref address, B_ANY_ADDRESS, Size, B_FULL_LOCK, Shared));

        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.OpenMemories);
        Assert.Equal(0, _backend.MappedBytes);
        Assert.Equal(2, _backend.Calls.Count(c => c == "close memory"));
    }

    [Fact]
    public void A_cloneable_block_address_area_is_aligned_to_its_size_and_shared()
    {
        nuint size = 3 * B_PAGE_SIZE;
        int source = Create(addressSpec: B_ANY_KERNEL_BLOCK_ADDRESS, size: size);
        AreaInfo info = Info(source);
        int clone = Clone(source);
        ((byte*)info.Address)[size - 1] = 0xAB;

        Assert.Equal(0, info.Address % (4 * B_PAGE_SIZE));
        Assert.Equal("rw-s", ProcMapsLine.At(info.Address).Permissions);
        Assert.Equal(0xAB, ((byte*)Info(clone).Address)[size - 1]);
        Assert.Equal(2 * (long)size, _backend.MappedBytes);
        MapRequest reservation = _backend.MapRequests[0], replacement = _backend.MapRequests[1];
        Assert.Equal(PageAccess.None, reservation.Access);
        Assert.Null(reservation.Memory);
        Assert.Equal(new MapRequest(size, Placement.Replace, info.Address, PageAccess.Read | PageAccess.Write, false, replacement.Memory), replacement);
    }

    [Fact]
    public void A_cloneable_block_address_area_whose_memory_cannot_replace_the_reservation_unmaps_it()
    {
        var backend = new ReplaceFailingBackend();
        var areas = new AreaRegistry(backend);
        nint address = 0;

        Assert.Equal(B_NO_MEMORY, areas.CreateArea("shared", ref address, B_ANY_KERNEL_BLOCK_ADDRESS, Size, B_NO_LOCK, Shared));
        Assert.Equal(0, backend.Inner.MappedBytes);
        Assert.Equal(0, backend.Inner.OpenMemories);
        Assert.Equal(0, areas.Count);
    }

    [Fact]
    public void A_private_block_address_area_keeps_its_access_in_the_over_mapping()
    {
        nuint size = 3 * B_PAGE_SIZE;
        Create(ReadWrite, addressSpec: B_ANY_KERNEL_BLOCK_ADDRESS, size: size);

        Assert.Single(_backend.MapRequests);
        Assert.Equal(PageAccess.Read | PageAccess.Write, _backend.MapRequests[0].Access);
    }

    /// <summary>A backend whose <see cref="Placement.Replace"/> mappings fail with ENOMEM.</summary>
    private sealed class ReplaceFailingBackend : IAreaBackend
    {
        public RecordingBackend Inner { get; } = new();

        public int Map(in MapRequest request, out nint address)
        {
            if (request.Placement == Placement.Replace)
            {
                address = 0;
                return 12;
            }

            return Inner.Map(request, out address);
        }

        public int Unmap(nint address, nuint size) => Inner.Unmap(address, size);

        public int Protect(nint address, nuint size, PageAccess access) => Inner.Protect(address, size, access);

        public int Lock(nint address, nuint size, bool onFault) => Inner.Lock(address, size, onFault);

        public int CreateMemory(string name, nuint size, out int memory) => Inner.CreateMemory(name, size, out memory);

        public int CloseMemory(int memory) => Inner.CloseMemory(memory);
    }
}
