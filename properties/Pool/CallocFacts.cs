using System.Runtime.InteropServices;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>calloc: zeroes, also over reused dirty memory; overflow is NULL.</summary>
public unsafe class CallocFacts
{
    public static TheoryData<ulong> Sizes => new() { 1, 16, 100, 2048, 3000, 70000, 1 << 20 };

    [SpecRow("op-calloc-zeroes")]
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks(ulong size)
    {
        PoolAllocator pool = PoolFixture.NewPool(16 << 20);
        var dirty = new List<nint>();
        for (int i = 0; i < 8; i++)
        {
            nint block = pool.Malloc((nuint)size);
            Assert.NotEqual(0, block);
            NativeMemory.Fill((void*)block, (nuint)size, 0xEE);
            dirty.Add(block);
        }
        dirty.ForEach(b => pool.Free(b));
        for (int i = 0; i < 8; i++)
        {
            nint block = pool.Calloc(1, (nuint)size);
            pool.Check(block, out ulong usable);
            var span = new ReadOnlySpan<byte>((void*)block, (int)usable);
            int nonZero = span.IndexOfAnyExcept((byte)0);
            Assert.True(nonZero < 0, $"calloc({size}) block 0x{block:x} has byte {nonZero} = 0x{(nonZero < 0 ? 0 : span[nonZero]):x2}");
        }
        pool.Delete();
    }

    [Fact]
    public void Calloc_of_large_blocks_reuses_memory_partly_dirty_partly_never_touched()
    {
        PoolAllocator pool = PoolFixture.NewPool(8 << 20);
        nint first = pool.Malloc(100_000);
        NativeMemory.Fill((void*)first, 100_000, 0xAB);
        pool.Free(first);
        nint block = pool.Calloc(300_000, 1); // starts over the dirty bytes, runs into never-touched ones
        Assert.True(new ReadOnlySpan<byte>((void*)block, 300_000).IndexOfAnyExcept((byte)0) < 0);
        pool.Delete();
    }

    [SpecRow("misuse-calloc-overflow")]
    [SpecRow("op-calloc-overflow")]
    [Theory]
    [InlineData(ulong.MaxValue, 2UL)]
    [InlineData(1UL << 32, 1UL << 32)]
    [InlineData(3UL, ulong.MaxValue / 2)]
    public void Calloc_whose_size_overflows_returns_null_and_changes_nothing(ulong count, ulong size)
    {
        PoolAllocator pool = PoolFixture.NewPool();
        PoolStatistics before = pool.GetStatistics();
        Assert.Equal(0, pool.Calloc((nuint)count, (nuint)size));
        Assert.Equal(before with { FailedAllocations = before.FailedAllocations + 1 }, pool.GetStatistics() with { SlabsPerClass = before.SlabsPerClass });
        pool.Delete();
    }

    [Theory]
    [InlineData(0UL, 10UL)]
    [InlineData(10UL, 0UL)]
    public void Calloc_of_zero_bytes_returns_a_unique_freeable_block(ulong count, ulong size)
    {
        PoolAllocator pool = PoolFixture.NewPool();
        nint block = pool.Calloc((nuint)count, (nuint)size);
        Assert.NotEqual(0, block);
        Assert.Equal(BlockCheck.Live, pool.Free(block));
        pool.Delete();
    }
}
