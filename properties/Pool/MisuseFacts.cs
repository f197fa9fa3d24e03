using System.Runtime.InteropServices;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Pool;

/// <summary>free and realloc of anything that is not a live block of the pool: refused, counted, nothing changes.</summary>
public unsafe class MisuseFacts
{
    private readonly PoolAllocator _pool = PoolFixture.NewPool(1 << 20);

    private void AssertRefusedAndUnchanged(nint block, BlockCheck expected, Action misuse)
    {
        PoolStatistics before = _pool.GetStatistics();
        misuse();
        PoolStatistics after = _pool.GetStatistics();
        Assert.Equal(before with { RefusedFrees = before.RefusedFrees + 1, SlabsPerClass = after.SlabsPerClass }, after);
        Assert.Equal(before.SlabsPerClass, after.SlabsPerClass);
        Assert.Equal(expected, _pool.Check(block, out _));
        PoolFixture.AssertIntact(_pool);
    }

    public static TheoryData<ulong> Sizes => new() { 16, 300, 4000, 100_000 };

    [SpecRow("misuse-double-free")]
    [SpecRow("op-free-not-live")]
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Double_free_is_refused_and_counted(ulong size)
    {
        nint block = _pool.Malloc((nuint)size);
        _pool.Malloc((nuint)size);
        Assert.Equal(BlockCheck.Live, _pool.Free(block));
        AssertRefusedAndUnchanged(block, BlockCheck.NotLive, () => Assert.Equal(BlockCheck.NotLive, _pool.Free(block)));
    }

    [SpecRow("misuse-interior-misaligned")]
    [SpecRow("misuse-interior-aligned")]
    [SpecRow("op-free-not-live")]
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Interior_pointer_free_is_refused(ulong size)
    {
        nint block = _pool.Malloc((nuint)size);
        AssertRefusedAndUnchanged(block + 16, BlockCheck.NotLive, () => Assert.Equal(BlockCheck.NotLive, _pool.Free(block + 16)));
        AssertRefusedAndUnchanged(block + 8, BlockCheck.Misaligned, () => Assert.Equal(BlockCheck.Misaligned, _pool.Free(block + 8)));
        Assert.Equal(BlockCheck.Live, _pool.Check(block, out _));
    }

    [SpecRow("misuse-foreign-pointer")]
    [SpecRow("op-free-not-live")]
    [Fact]
    public void Foreign_pointers_are_refused()
    {
        void* native = NativeMemory.Alloc(64);
        try
        {
            AssertRefusedAndUnchanged((nint)native, BlockCheck.OutsidePool, () => _pool.Free((nint)native));
            int onStack = 0;
            nint stackAddress = (nint)(&onStack);
            AssertRefusedAndUnchanged(stackAddress, BlockCheck.OutsidePool, () => _pool.Free(stackAddress));
            AssertRefusedAndUnchanged(_pool.Base, BlockCheck.OutsidePool, () => _pool.Free(_pool.Base)); // the pool's own header
            AssertRefusedAndUnchanged(-16, BlockCheck.OutsidePool, () => _pool.Free(-16));
        }
        finally
        {
            NativeMemory.Free(native);
        }
    }

    [SpecRow("misuse-foreign-pointer")]
    [Fact]
    public void Another_pools_block_is_refused_by_free_and_realloc()
    {
        PoolAllocator other = PoolFixture.NewPool();
        nint theirs = other.Malloc(100);
        AssertRefusedAndUnchanged(theirs, BlockCheck.OutsidePool, () => _pool.Free(theirs));
        AssertRefusedAndUnchanged(theirs, BlockCheck.OutsidePool, () => Assert.Equal(0, _pool.Realloc(theirs, 200)));
        Assert.Equal(BlockCheck.Live, other.Check(theirs, out _));
        other.Delete();
    }

    [SpecRow("misuse-realloc-freed")]
    [Theory]
    [MemberData(nameof(Sizes))]
    public void A_freed_pointer_given_to_realloc_is_refused_with_null(ulong size)
    {
        nint block = _pool.Malloc((nuint)size);
        _pool.Free(block);
        AssertRefusedAndUnchanged(block, BlockCheck.NotLive, () => Assert.Equal(0, _pool.Realloc(block, 50)));
        AssertRefusedAndUnchanged(block, BlockCheck.NotLive, () => Assert.Equal(0, _pool.Realloc(block, 0)));
    }

    [SpecRow("op-free-null")]
    [Fact]
    public void Free_of_null_does_nothing_and_is_not_counted()
    {
        PoolStatistics before = _pool.GetStatistics();
        Assert.Equal(BlockCheck.Null, _pool.Free(0));
        Assert.Equal(before.RefusedFrees, _pool.GetStatistics().RefusedFrees);
    }

    [SpecRow("misuse-damaged-tag")]
    [Fact]
    public void A_damaged_block_header_is_refused_as_corrupt_and_named_by_the_walker()
    {
        nint block = _pool.Malloc(5000);
        *(uint*)(block - 16 + 8) = 0xDEADBEEF; // the tag and flags word of the boundary tag
        IntegrityReport report = _pool.CheckIntegrity();
        Assert.False(report.IsValid);
        Assert.Equal((ulong)(block - 16 - _pool.Base), report.Offset);
        Assert.Contains("no valid tag", report.Violation, StringComparison.Ordinal);
        Assert.Equal(BlockCheck.Corrupt, _pool.Free(block));
        Assert.Equal(1, _pool.GetStatistics().RefusedFrees);
    }

    [SpecRow("misuse-overflow")]
    [Fact]
    public void An_overflow_into_the_next_header_is_reported_by_the_walker()
    {
        nint a = _pool.Malloc(4000), b = _pool.Malloc(4000);
        _pool.Check(a, out ulong usable);
        new Span<byte>((void*)a, (int)usable + 16).Fill(0x41); // writes past the end, over b's boundary tag
        IntegrityReport report = _pool.CheckIntegrity();
        Assert.False(report.IsValid);
        Assert.Equal((ulong)(b - 16 - _pool.Base), report.Offset);
    }
}
