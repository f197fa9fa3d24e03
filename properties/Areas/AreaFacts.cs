using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Areas;

/// <summary>create_area semantics over Linux: sizes, address specs, lock specs, protection, the registry.</summary>
[Collection(AddressSpaceCollection.Name)]
public unsafe class AreaFacts
{
    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;

    public AreaFacts() => _areas = new AreaRegistry(_backend);

    private int Create(uint addressSpec, nuint size, uint lockSpec = B_NO_LOCK, uint protection = B_READ_AREA | B_WRITE_AREA, nint at = 0)
    {
        nint address = at;
        return _areas.CreateArea("test area", ref address, addressSpec, size, lockSpec, protection);
    }

    [SpecRow("area-size")]
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(4095UL)]
    [InlineData(4097UL)]
    [InlineData(12289UL)]
    public void Size_that_is_not_a_positive_multiple_of_the_page_is_B_BAD_VALUE_and_maps_nothing(ulong size)
    {
        Assert.Equal(B_BAD_VALUE, Create(B_ANY_ADDRESS, (nuint)size));
        Assert.Empty(_backend.Calls);
        Assert.Equal(0, _areas.Count);
    }

    [SpecRow("area-unmap-once")]
    [Fact]
    public void Any_address_area_is_registered_readable_writable_and_unmapped_exactly_once()
    {
        int id = Create(B_ANY_ADDRESS, 3 * 4096);
        Assert.True(id > 0);
        Assert.Equal(B_OK, _areas.GetAreaInfo(id, out AreaInfo info));
        Assert.Equal((nuint)(3 * 4096), info.Size);
        Assert.Equal(0, info.Address % B_PAGE_SIZE);
        ((byte*)info.Address)[3 * 4096 - 1] = 42;
        Assert.Equal(B_OK, _areas.DeleteArea(id));
        Assert.Equal(B_BAD_VALUE, _areas.DeleteArea(id));
        Assert.Equal(B_BAD_VALUE, _areas.GetAreaInfo(id, out _));
        Assert.Equal(1, _backend.Calls.Count(c => c.StartsWith("unmap", StringComparison.Ordinal)));
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("area-ids")]
    [Fact]
    public void Ids_are_positive_distinct_and_names_are_truncated_to_B_OS_NAME_LENGTH_minus_one()
    {
        nint a = 0, b = 0;
        int first = _areas.CreateArea(new string('x', 100), ref a, B_ANY_ADDRESS, 4096, B_NO_LOCK, B_READ_AREA);
        int second = _areas.CreateArea("short", ref b, B_ANY_ADDRESS, 4096, B_NO_LOCK, B_READ_AREA);
        Assert.True(first > 0 && second > 0 && first != second);
        _areas.GetAreaInfo(first, out AreaInfo info);
        Assert.Equal(B_OS_NAME_LENGTH - 1, info.Name.Length);
        Assert.Equal(new[] { first, second }, _areas.Snapshot().Select(i => i.Id));
        _areas.DeleteArea(first);
        _areas.DeleteArea(second);
    }

    [SpecRow("area-exact-address")]
    [Fact]
    public void Exact_address_maps_exactly_there_when_free()
    {
        int probe = Create(B_ANY_ADDRESS, 4 * 4096);
        _areas.GetAreaInfo(probe, out AreaInfo freed);
        _areas.DeleteArea(probe);
        int id = Create(B_EXACT_ADDRESS, 4 * 4096, at: freed.Address);
        Assert.True(id > 0, $"status {id}");
        _areas.GetAreaInfo(id, out AreaInfo info);
        Assert.Equal(freed.Address, info.Address);
        _areas.DeleteArea(id);
    }

    [SpecRow("area-exact-address")]
    [Fact]
    public void Exact_address_over_an_existing_mapping_fails_with_B_NO_MEMORY_and_clobbers_nothing()
    {
        int id = Create(B_ANY_ADDRESS, 2 * 4096);
        _areas.GetAreaInfo(id, out AreaInfo taken);
        ((byte*)taken.Address)[100] = 0x5A;
        Assert.Equal(B_NO_MEMORY, Create(B_EXACT_ADDRESS, 4096, at: taken.Address));
        Assert.Equal(0x5A, ((byte*)taken.Address)[100]);
        Assert.Equal(1, _areas.Count);
        _areas.DeleteArea(id);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(0x1000_0010L)]
    public void Exact_address_that_is_null_or_misaligned_is_B_BAD_VALUE(long at)
    {
        Assert.Equal(B_BAD_VALUE, Create(B_EXACT_ADDRESS, 4096, at: (nint)at));
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("area-base-address")]
    [Fact]
    public void Base_address_places_the_area_at_or_above_the_address()
    {
        int probe = Create(B_ANY_ADDRESS, 4096);
        _areas.GetAreaInfo(probe, out AreaInfo near);
        nint floor = near.Address + unchecked((nint)(1L << 32));
        int id = Create(B_BASE_ADDRESS, 8 * 4096, at: floor);
        Assert.True(id > 0, $"status {id}");
        _areas.GetAreaInfo(id, out AreaInfo info);
        Assert.True((nuint)info.Address >= (nuint)floor, $"0x{info.Address:x} is below 0x{floor:x}");
        // With the floor itself taken, the next gap above it is used.
        int second = Create(B_BASE_ADDRESS, 8 * 4096, at: info.Address);
        _areas.GetAreaInfo(second, out AreaInfo above);
        Assert.True((nuint)above.Address >= (nuint)info.Address + 8 * 4096, $"0x{above.Address:x} is not above the occupied 0x{info.Address:x}");
        _areas.DeleteArea(probe);
        _areas.DeleteArea(id);
        _areas.DeleteArea(second);
    }

    [SpecRow("area-clone-or-unknown-spec")]
    [Theory]
    [InlineData(B_CLONE_ADDRESS)]
    [InlineData(6u)]
    [InlineData(uint.MaxValue)]
    public void Clone_and_unknown_address_specs_are_B_BAD_VALUE(uint spec)
    {
        Assert.Equal(B_BAD_VALUE, Create(spec, 4096));
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("area-block-address")]
    [Fact]
    public void Any_kernel_block_address_aligns_the_area_to_its_size_rounded_up_to_a_power_of_two()
    {
        int id = Create(B_ANY_KERNEL_BLOCK_ADDRESS, 3 * 4096);
        Assert.True(id > 0);
        _areas.GetAreaInfo(id, out AreaInfo info);
        Assert.Equal(0, info.Address % (4 * 4096));
        Assert.Equal(B_OK, _areas.DeleteArea(id));
        Assert.Equal(0, _backend.MappedBytes); // the trimmed ends were unmapped too
    }

    [SpecRow("area-any-address")]
    [Fact]
    public void Any_kernel_address_places_anywhere()
    {
        int id = Create(B_ANY_KERNEL_ADDRESS, 4096);
        Assert.True(id > 0);
        Assert.Equal(Placement.Anywhere, _backend.MapRequests.Single().Placement);
        _areas.DeleteArea(id);
    }

    [SpecRow("area-no-lock")]
    [Fact]
    public void No_lock_maps_lazily_without_locking()
    {
        int id = Create(B_ANY_ADDRESS, 4096, B_NO_LOCK);
        Assert.False(_backend.MapRequests.Single().Populate);
        Assert.Empty(_backend.Locks);
        _areas.DeleteArea(id);
    }

    [SpecRow("area-lazy-lock")]
    [Fact]
    public void Lazy_lock_locks_pages_on_first_touch()
    {
        int id = Create(B_ANY_ADDRESS, 4 * 4096, B_LAZY_LOCK);
        Assert.True(id > 0, $"status {id}");
        Assert.True(_backend.Locks.Single().OnFault);
        _areas.DeleteArea(id);
    }

    [SpecRow("area-lomem")]
    [SpecRow("area-contiguous")]
    [SpecRow("area-full-lock")]
    [Theory]
    [InlineData(B_FULL_LOCK)]
    [InlineData(B_CONTIGUOUS)]
    [InlineData(B_LOMEM)]
    public void Full_contiguous_and_lomem_locks_populate_and_lock_up_front(uint lockSpec)
    {
        int id = Create(B_ANY_ADDRESS, 4 * 4096, lockSpec);
        Assert.True(id > 0, $"status {id}");
        Assert.True(_backend.MapRequests.Single().Populate);
        Assert.False(_backend.Locks.Single().OnFault);
        _areas.GetAreaInfo(id, out AreaInfo info);
        if (lockSpec == B_LOMEM)
            Assert.True((ulong)info.Address < (1UL << 31), $"B_LOMEM area at 0x{info.Address:x}");
        _areas.DeleteArea(id);
    }

    [SpecRow("area-full-lock")]
    [Theory]
    [InlineData(LinuxErrno.EPERM)]
    [InlineData(LinuxErrno.ENOMEM)]
    [InlineData(LinuxErrno.EAGAIN)]
    public void Refused_lock_fails_with_B_NO_MEMORY_and_leaves_nothing_mapped(int errno)
    {
        _backend.FailLockWith = errno;
        Assert.Equal(B_NO_MEMORY, Create(B_ANY_ADDRESS, 4 * 4096, B_FULL_LOCK));
        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("area-os-failure")]
    [Theory]
    [InlineData(LinuxErrno.ENOMEM, B_NO_MEMORY)]
    [InlineData(LinuxErrno.EINVAL, B_BAD_VALUE)]
    [InlineData(LinuxErrno.EACCES, B_PERMISSION_DENIED)]
    public void Failed_map_reports_its_status_and_registers_nothing(int errno, int status)
    {
        _backend.FailMapWith = errno;
        Assert.Equal(status, Create(B_ANY_ADDRESS, 4096));
        Assert.Equal(0, _areas.Count);
    }

    [Fact]
    public void Unknown_lock_spec_is_B_BAD_VALUE()
    {
        Assert.Equal(B_BAD_VALUE, Create(B_ANY_ADDRESS, 4096, 5));
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("area-protection")]
    [Theory]
    [InlineData(0u, PageAccess.None)]
    [InlineData(B_READ_AREA, PageAccess.Read)]
    [InlineData(B_WRITE_AREA, PageAccess.Read | PageAccess.Write)]
    [InlineData(B_KERNEL_READ_AREA, PageAccess.Read)]
    [InlineData(B_KERNEL_WRITE_AREA, PageAccess.Read | PageAccess.Write)]
    [InlineData(B_READ_AREA | B_EXECUTE_AREA, PageAccess.Read | PageAccess.Execute)]
    [InlineData(B_READ_AREA | B_USER_CLONEABLE_AREA, PageAccess.Read)]
    public void Protection_maps_to_linux_access(uint protection, PageAccess expected)
    {
        int id = Create(B_ANY_ADDRESS, 4096, protection: protection);
        Assert.True(id > 0);
        Assert.Equal(expected, _backend.MapRequests.Single().Access);
        _areas.GetAreaInfo(id, out AreaInfo info);
        Assert.Equal(protection, info.Protection);
        _areas.DeleteArea(id);
    }

    [SpecRow("area-protection")]
    [Theory]
    [InlineData(8u)]
    [InlineData(64u)]
    [InlineData(0x1000u)]
    public void Unknown_protection_bits_are_B_BAD_VALUE(uint protection)
    {
        Assert.Equal(B_BAD_VALUE, Create(B_ANY_ADDRESS, 4096, protection: protection));
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("area-unmap-refused")]
    [Fact]
    public void Failed_unmap_keeps_the_area_registered_so_it_is_unmapped_exactly_once_later()
    {
        int id = Create(B_ANY_ADDRESS, 4096);
        _backend.FailUnmapWith = LinuxErrno.EINVAL;
        Assert.Equal(B_ERROR, _areas.DeleteArea(id));
        Assert.Equal(1, _areas.Count);
        _backend.FailUnmapWith = 0;
        Assert.Equal(B_OK, _areas.DeleteArea(id));
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("area-backend")]
    [Fact]
    public void A_registry_needs_a_backend()
    {
        Assert.Throws<ArgumentNullException>(() => new AreaRegistry(null!));
    }

    [Fact]
    public void A_null_name_is_refused_before_anything_is_mapped()
    {
        nint address = 0;
        Assert.Throws<ArgumentNullException>(() => _areas.CreateArea(null!, ref address, B_ANY_ADDRESS, 4096, B_NO_LOCK, B_READ_AREA));
        Assert.Empty(_backend.Calls);
        Assert.Equal(0, _areas.Count);
    }

    [SpecRow("area-names")]
    [Theory]
    [InlineData(B_OS_NAME_LENGTH - 1, B_OS_NAME_LENGTH - 1)]
    [InlineData(B_OS_NAME_LENGTH, B_OS_NAME_LENGTH - 1)]
    [InlineData(B_OS_NAME_LENGTH + 1, B_OS_NAME_LENGTH - 1)]
    public void A_name_keeps_at_most_B_OS_NAME_LENGTH_minus_one_characters(int length, int kept)
    {
        nint address = 0;
        string name = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)));
        int id = _areas.CreateArea(name, ref address, B_ANY_ADDRESS, 4096, B_NO_LOCK, B_READ_AREA);
        Assert.True(id > 0, $"status {id}");
        _areas.GetAreaInfo(id, out AreaInfo info);
        Assert.Equal(name[..kept], info.Name);
        _areas.DeleteArea(id);
    }

    [Theory]
    [InlineData((1UL << 62) + 4096)] // rounds up to 2^63: the over-mapping (size + 2^63) cannot be asked for
    [InlineData((1UL << 63) - 4096)]
    [InlineData(1UL << 63)]
    [InlineData((1UL << 63) + 4096)] // rounds up past 2^63
    public void A_block_aligned_area_too_large_to_align_is_B_NO_MEMORY_without_asking_the_OS(ulong size)
    {
        Assert.Equal(B_NO_MEMORY, Create(B_ANY_KERNEL_BLOCK_ADDRESS, (nuint)size));
        Assert.Empty(_backend.Calls);
        Assert.Equal(0, _areas.Count);
    }

    [Fact]
    public void A_locked_block_aligned_area_is_over_mapped_lazily_and_made_resident_by_its_lock()
    {
        int id = Create(B_ANY_KERNEL_BLOCK_ADDRESS, 3 * 4096, B_FULL_LOCK);
        Assert.True(id > 0, $"status {id}");
        MapRequest overMapping = _backend.MapRequests.Single();
        Assert.Equal((nuint)(3 * 4096 + 4 * 4096), overMapping.Size);
        Assert.False(overMapping.Populate, "the over-mapping is populated: the pages trimmed away would be faulted in for nothing");
        Assert.False(_backend.Locks.Single().OnFault);
        _areas.DeleteArea(id);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [Theory]
    [InlineData(LinuxErrno.ENOMEM, B_NO_MEMORY)]
    [InlineData(LinuxErrno.EINVAL, B_BAD_VALUE)]
    public void A_refused_over_mapping_reports_its_status_and_registers_nothing(int errno, int status)
    {
        _backend.FailMapWith = errno;
        nint address = 0;
        Assert.Equal(status, _areas.CreateArea("aligned", ref address, B_ANY_KERNEL_BLOCK_ADDRESS, 3 * 4096, B_NO_LOCK, B_READ_AREA));
        Assert.Equal(0, address);
        Assert.Equal(0, _areas.Count);
        Assert.Equal(["map 28672 Anywhere"], _backend.Calls);
    }

    [Theory]
    [InlineData(0x7000_0000_0000L, 0x7000_0000_0000L)]          // already aligned: used from its start, only the tail trimmed
    [InlineData(0x7000_0000_1000L, 0x7000_0000_4000L)]          // one page past a boundary: the next boundary
    [InlineData(0x7000_0000_3000L, 0x7000_0000_4000L)]          // one page short of a boundary: that boundary
    public void A_block_aligned_area_starts_at_the_first_aligned_address_of_its_over_mapping(long raw, long expected)
    {
        var backend = new FixedAddressBackend((nint)raw);
        var areas = new AreaRegistry(backend);
        nint address = 0;
        int id = areas.CreateArea("aligned", ref address, B_ANY_KERNEL_BLOCK_ADDRESS, 3 * 4096, B_NO_LOCK, B_READ_AREA);
        Assert.True(id > 0, $"status {id}");
        Assert.Equal((nint)expected, address);
        // Whatever is left of the over-mapping (7 pages) on either side of the area is given back.
        Assert.Equal((ulong)(4 * 4096), backend.Unmapped.Aggregate(0UL, (sum, u) => sum + u.Size));
        Assert.All(backend.Unmapped, u => Assert.True(u.Address + (long)u.Size <= expected || u.Address >= expected + 3 * 4096, $"0x{u.Address:x} +{u.Size} cuts into the area"));
    }

    /// <summary>A backend that "maps" at one fixed address without touching memory, and records the unmaps.</summary>
    private sealed class FixedAddressBackend(nint at) : IAreaBackend
    {
        public List<(long Address, ulong Size)> Unmapped { get; } = [];

        public int Map(in MapRequest request, out nint address)
        {
            address = at;
            return 0;
        }

        public int Unmap(nint address, nuint size)
        {
            Unmapped.Add((address, size));
            return 0;
        }

        public int Protect(nint address, nuint size, PageAccess access) => 0;

        public int Lock(nint address, nuint size, bool onFault) => 0;
    }
}
