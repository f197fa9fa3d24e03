using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>create_pool: which specs a pool honours, and that a refused pool maps nothing.</summary>
public class CreatePoolFacts
{
    private readonly RecordingBackend _backend = new();
    private readonly AreaRegistry _areas;

    public CreatePoolFacts() => _areas = new AreaRegistry(_backend);

    private PoolAllocator? Create(uint addressSpec = B_ANY_ADDRESS, ulong size = 1 << 16, uint lockSpec = B_NO_LOCK,
        uint protection = B_READ_AREA | B_WRITE_AREA) =>
        PoolAllocator.Create(_areas, addressSpec, (nuint)size, lockSpec, protection, out _);

    [SpecRow("pool-address-spec")]
    [Theory]
    [InlineData(B_ANY_ADDRESS)]
    [InlineData(B_BASE_ADDRESS)]
    [InlineData(B_ANY_KERNEL_ADDRESS)]
    [InlineData(B_ANY_KERNEL_BLOCK_ADDRESS)]
    public void Address_specs_that_need_no_caller_address_make_a_working_pool(uint spec)
    {
        PoolAllocator pool = Create(spec)!;
        Assert.NotNull(pool);
        nint block = pool.Malloc(100);
        Assert.NotEqual(0, block);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        Assert.Equal(B_OK, pool.Delete());
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("pool-address-spec")]
    [Fact]
    public void Any_kernel_block_address_pool_is_aligned_to_its_size()
    {
        PoolAllocator pool = Create(B_ANY_KERNEL_BLOCK_ADDRESS, 1 << 16)!;
        Assert.Equal(0, pool.Base % (1 << 16));
        pool.Delete();
    }

    [SpecRow("pool-address-spec")]
    [Theory]
    [InlineData(B_EXACT_ADDRESS)]
    [InlineData(B_CLONE_ADDRESS)]
    [InlineData(6u)]
    public void Address_specs_that_need_an_address_or_are_unknown_return_null_and_map_nothing(uint spec)
    {
        Assert.Null(Create(spec));
        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("pool-size")]
    [Theory]
    [InlineData(0UL)]
    [InlineData(4095UL)]
    [InlineData(65537UL)]
    [InlineData(PoolLayout.MaxAreaSize + 4096)]
    public void Impossible_sizes_return_null_and_map_nothing(ulong size)
    {
        PoolAllocator? pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, (nuint)size, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status);
        Assert.Null(pool);
        Assert.Equal(B_BAD_VALUE, status);
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("pool-size")]
    [Fact]
    public void The_smallest_pool_is_one_page_and_serves_requests()
    {
        Assert.Equal((ulong)B_PAGE_SIZE, PoolLayout.MinAreaSize);
        PoolAllocator pool = Create(size: B_PAGE_SIZE)!;
        Assert.True(pool.MaxSingleRequest > 1000, $"a one-page pool serves only {pool.MaxSingleRequest} bytes");
        nint block = pool.Malloc(16); // no room for a slab: served by the large-block heap
        Assert.NotEqual(0, block);
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }

    [Theory]
    [InlineData(B_NO_LOCK)]
    [InlineData(B_LAZY_LOCK)]
    [InlineData(B_FULL_LOCK)]
    [InlineData(B_CONTIGUOUS)]
    [InlineData(B_LOMEM)]
    public void Every_lock_spec_makes_a_working_pool(uint lockSpec)
    {
        PoolAllocator pool = Create(lockSpec: lockSpec)!;
        Assert.NotNull(pool);
        Assert.NotEqual(0, pool.Calloc(10, 10));
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }

    [SpecRow("pool-failure")]
    [Fact]
    public void Refused_lock_returns_null_with_B_NO_MEMORY_and_leaves_nothing_mapped()
    {
        _backend.FailLockWith = LinuxErrno.EPERM;
        PoolAllocator? pool = PoolAllocator.Create(_areas, B_ANY_ADDRESS, 1 << 16, B_FULL_LOCK, B_READ_AREA | B_WRITE_AREA, out int status);
        Assert.Null(pool);
        Assert.Equal(B_NO_MEMORY, status);
        Assert.Equal(0, _backend.MappedBytes);
        Assert.Equal(0, _areas.Count);
    }

    [SpecRow("pool-needs-write")]
    [Theory]
    [InlineData(0u)]
    [InlineData(B_READ_AREA)]
    [InlineData(B_KERNEL_READ_AREA | B_READ_AREA | B_EXECUTE_AREA)]
    public void Protection_without_a_write_bit_returns_null_since_the_pool_writes_its_metadata(uint protection)
    {
        Assert.Null(Create(protection: protection));
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("pool-needs-write")]
    [Theory]
    [InlineData(B_WRITE_AREA)]
    [InlineData(B_KERNEL_READ_AREA | B_KERNEL_WRITE_AREA)]
    [InlineData(B_READ_AREA | B_WRITE_AREA | B_USER_CLONEABLE_AREA)]
    public void Any_write_bit_user_or_kernel_makes_a_working_pool(uint protection)
    {
        PoolAllocator pool = Create(protection: protection)!;
        Assert.NotNull(pool);
        Assert.NotEqual(0, pool.Malloc(64));
        pool.Delete();
    }

    [Fact]
    public void Unknown_protection_bits_return_null()
    {
        Assert.Null(Create(protection: B_READ_AREA | B_WRITE_AREA | 8));
        Assert.Empty(_backend.Calls);
    }

    [SpecRow("misuse-os-refuses-map")]
    [SpecRow("pool-failure")]
    [Fact]
    public void Failed_map_returns_null_with_its_status()
    {
        _backend.FailMapWith = LinuxErrno.ENOMEM;
        Assert.Null(PoolAllocator.Create(_areas, B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status));
        Assert.Equal(B_NO_MEMORY, status);
    }

    [Fact]
    public void Delete_unmaps_the_area_once_and_a_second_delete_is_B_ERROR()
    {
        PoolAllocator pool = Create()!;
        Assert.Equal(1, _areas.Count);
        Assert.Equal(B_OK, pool.Delete());
        Assert.True(pool.IsDeleted);
        Assert.Equal(B_ERROR, pool.Delete());
        Assert.Equal(0, _areas.Count);
        Assert.Equal(0, _backend.MappedBytes);
    }

    [SpecRow("misuse-os-refuses-unmap")]
    [Fact]
    public void Delete_that_the_OS_refuses_is_B_ERROR_and_the_pool_keeps_working()
    {
        PoolAllocator pool = Create()!;
        _backend.FailUnmapWith = LinuxErrno.EINVAL;
        Assert.Equal(B_ERROR, pool.Delete());
        Assert.False(pool.IsDeleted);
        Assert.NotEqual(0, pool.Malloc(10));
        _backend.FailUnmapWith = 0;
        Assert.Equal(B_OK, pool.Delete());
    }
}
