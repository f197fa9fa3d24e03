using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Pool;
using AreaMalloc.Idiomatic;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Idiomatic;

/// <summary>The idiomatic surface: the same rules, reported as exceptions that name the problem.</summary>
public class AreaPoolFacts
{
    private static AreaPool NewPool(nuint size = 1 << 20) =>
        AreaPool.Create(size, new PoolOptions { Areas = new AreaRegistry(new LinuxAreaBackend()) });

    [Fact]
    public void Allocate_write_through_a_span_and_free()
    {
        using AreaPool pool = NewPool();
        nint block = pool.Allocate(100);
        Span<byte> span = pool.AsSpan(block);
        Assert.Equal(112, span.Length);
        span.Fill(7);
        Assert.Equal(112UL, pool.UsableSize(block));
        pool.Free(block);
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
        Assert.True(pool.CheckIntegrity().IsValid);
    }

    [SpecRow("op-idiomatic-throws")]
    [Fact]
    public void A_bad_size_throws_PoolCreationException_naming_B_BAD_VALUE()
    {
        var error = Assert.Throws<PoolCreationException>(() => NewPool(1000));
        Assert.Equal(B_BAD_VALUE, error.Status);
        Assert.Contains("B_BAD_VALUE", error.Message, StringComparison.Ordinal);
    }

    [SpecRow("misuse-too-large")]
    [SpecRow("op-idiomatic-throws")]
    [Fact]
    public void A_request_too_large_throws_PoolExhaustedException_and_the_pool_keeps_working()
    {
        using AreaPool pool = NewPool();
        var error = Assert.Throws<PoolExhaustedException>(() => pool.Allocate(2 << 20));
        Assert.Contains("no room for 2097152 bytes", error.Message, StringComparison.Ordinal);
        pool.Free(pool.Allocate(10));
    }

    [SpecRow("misuse-double-free")]
    [SpecRow("op-idiomatic-throws")]
    [Fact]
    public void Freeing_twice_throws_InvalidBlockException_saying_already_freed()
    {
        using AreaPool pool = NewPool();
        nint block = pool.Allocate(10);
        pool.Free(block);
        var error = Assert.Throws<InvalidBlockException>(() => pool.Free(block));
        Assert.Contains("already freed", error.Message, StringComparison.Ordinal);
        Assert.Equal("block", error.ParamName);
        Assert.Equal(1, pool.GetStatistics().RefusedFrees);
    }

    [SpecRow("misuse-foreign-pointer")]
    [Fact]
    public void A_foreign_pointer_throws_naming_it_as_outside_the_pool()
    {
        using AreaPool pool = NewPool();
        using AreaPool other = NewPool();
        nint theirs = other.Allocate(10);
        Assert.Contains("not inside this pool", Assert.Throws<InvalidBlockException>(() => pool.Free(theirs)).Message, StringComparison.Ordinal);
        Assert.Contains("not inside this pool", Assert.Throws<InvalidBlockException>(() => pool.Resize(theirs, 20)).Message, StringComparison.Ordinal);
        Assert.Contains("not inside this pool", Assert.Throws<InvalidBlockException>(() => pool.AsSpan(theirs)).Message, StringComparison.Ordinal);
        Assert.Contains("16-byte aligned", Assert.Throws<InvalidBlockException>(() => other.Free(theirs + 4)).Message, StringComparison.Ordinal);
        other.Free(theirs);
    }

    [SpecRow("misuse-calloc-overflow")]
    [Fact]
    public void AllocateZeroed_that_overflows_throws_ArgumentOutOfRangeException()
    {
        using AreaPool pool = NewPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.AllocateZeroed(nuint.MaxValue, 2));
        nint zeroed = pool.AllocateZeroed(10, 10);
        Assert.True(pool.AsSpan(zeroed)[..100].IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Resize_grows_keeps_contents_and_resize_to_zero_frees()
    {
        using AreaPool pool = NewPool();
        nint block = pool.Allocate(10);
        pool.AsSpan(block)[..10].Fill(3);
        nint grown = pool.Resize(block, 5000);
        Assert.True(pool.AsSpan(grown)[..10].IndexOfAnyExcept((byte)3) < 0);
        Assert.Equal(0, pool.Resize(grown, 0));
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
        Assert.NotEqual(0, pool.Resize(0, 10));
        Assert.Throws<PoolExhaustedException>(() => pool.Resize(pool.Allocate(1), 4 << 20));
    }

    [Fact]
    public void A_disposed_pool_throws_ObjectDisposedException_and_dispose_is_idempotent()
    {
        AreaPool pool = NewPool();
        pool.Dispose();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Allocate(1));
        Assert.Throws<ObjectDisposedException>(() => pool.GetStatistics());
    }

    [Fact]
    public void Trim_restores_the_largest_free_block()
    {
        using AreaPool pool = NewPool();
        pool.Free(pool.Allocate(64));
        pool.Trim();
        Assert.Equal(pool.MaxSingleRequest, pool.GetStatistics().LargestFreeBlock);
    }

    [Fact]
    public void The_options_registry_makes_the_area_and_the_default_is_the_Be_Book_behavior()
    {
        var areas = new AreaRegistry(new LinuxAreaBackend());
        using (AreaPool pool = AreaPool.Create(1 << 16, new PoolOptions { Areas = areas }))
        {
            Assert.Equal(1, areas.Count);
            Assert.Equal(AreaMalloc.Pool.PoolBehavior.BeBook, pool.Allocator.Behavior);
        }

        Assert.Equal(0, areas.Count);
        using AreaPool safe = AreaPool.Create(1 << 16, new PoolOptions { Areas = areas, Settings = new PoolSettings { Behavior = AreaMalloc.Pool.PoolBehavior.SafeDeletion } });
        Assert.Equal(AreaMalloc.Pool.PoolBehavior.SafeDeletion, safe.Allocator.Behavior);
    }

    [SpecRow("misuse-os-refuses-map")]
    [Fact]
    public void A_refused_area_throws_PoolCreationException_naming_B_NO_MEMORY()
    {
        var backend = new RecordingBackend { FailMapWith = LinuxErrno.ENOMEM };
        var error = Assert.Throws<PoolCreationException>(() => AreaPool.Create(1 << 16, new PoolOptions { Areas = new AreaRegistry(backend) }));
        Assert.Equal(B_NO_MEMORY, error.Status);
        Assert.Contains("B_NO_MEMORY: the OS refused to map or lock the area", error.Message, StringComparison.Ordinal);
        Assert.Contains("create_pool(65536 bytes", error.Message, StringComparison.Ordinal);
    }

    [SpecRow("misuse-bad-create")]
    [Fact]
    public void Bad_specs_throw_PoolCreationException_naming_B_BAD_VALUE_and_the_rules()
    {
        var error = Assert.Throws<PoolCreationException>(() => NewPool(1000));
        Assert.Contains("B_BAD_VALUE: the size or specs are invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sizes must be multiples of 4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllocateZeroed_overflow_names_the_count_and_the_size()
    {
        using AreaPool pool = NewPool();
        nuint size = (nuint)1 << 32, count = (nuint)1 << 33; // 2^65 bytes
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pool.AllocateZeroed(count, size));
        Assert.Equal("count", error.ParamName);
        Assert.Contains($"{count} items of {size} bytes overflow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllocateZeroed_of_the_largest_product_that_does_not_overflow_is_exhaustion_not_overflow()
    {
        using AreaPool pool = NewPool();
        nuint size = (nuint)1 << 32, count = nuint.MaxValue / size; // (2^32 - 1) * 2^32 < 2^64
        var error = Assert.Throws<PoolExhaustedException>(() => pool.AllocateZeroed(count, size));
        Assert.Contains($"no room for {count * size} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
    }
}
