using AreaMalloc.Models;
using Xunit;

namespace AreaMalloc.Properties.ModelChecks;

/// <summary>The reference model judges hand-made outcomes of the real allocator.</summary>
public sealed class AllocatorModelTests
{
    private const ulong Base = 0x7f00_0000_0000;
    private const ulong PoolSize = 1 << 20;
    private const ulong MaxSingle = 512 * 1024;
    private const uint ReadWrite = BeConstants.ReadArea | BeConstants.WriteArea;

    private static readonly PoolGeometry Geometry = new(Base, PoolSize, MaxSingle);

    /// <summary>A model with one module user and pool#1 at <see cref="Base"/>.</summary>
    private static AllocatorModel ModelWithPool()
    {
        var model = new AllocatorModel(new ModelParameters(MinimumPoolSize: 8192));
        Assert.True(model.Step(new GetModule(BeConstants.ModuleName), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Verdict created = model.Step(new CreatePool(BeConstants.AnyAddress, PoolSize, BeConstants.NoLock, ReadWrite), Observation.Pool(0x5000, Geometry));
        Assert.True(created.IsAllowed, created.Message);
        Assert.Equal(1, created.NewPool!.Number);
        return model;
    }

    private static BlockRecord Allocated(AllocatorModel model, Operation op, ulong address, ulong usable)
    {
        Verdict v = model.Step(op, Observation.Block(address, usable));
        Assert.True(v.IsAllowed, v.Message);
        return v.NewBlock!;
    }

    private static readonly PoolRef P1 = PoolRef.Of(1);

    [Fact]
    public void Overlapping_result_is_a_violation_naming_the_live_block()
    {
        var model = ModelWithPool();
        Allocated(model, new Calloc(P1, 4, 16), Base + 0x100, 64);
        Verdict v = model.Step(new Malloc(P1, 48), Observation.Block(Base + 0x120, 48));
        Assert.False(v.IsAllowed);
        Assert.Contains("malloc(pool#1, 48) returned 0x7f0000000120", v.Message, StringComparison.Ordinal);
        Assert.Contains("overlaps live block #1 0x7f0000000100 (size 64) of pool#1 from calloc at step 3", v.Message, StringComparison.Ordinal);
        // A violation leaves the model unchanged; adjacent blocks are fine.
        Assert.Equal(new PoolStatistics(1, 64, 0), model.Statistics(P1));
        Allocated(model, new Malloc(P1, 48), Base + 0x140, 48);
        Allocated(model, new Malloc(P1, 8), Base + 0xF0, 16);
        Assert.False(model.Step(new Malloc(P1, 1), Observation.Block(Base + 0xF0, 16)).IsAllowed);
    }

    [Fact]
    public void Misaligned_result_is_a_violation()
    {
        var model = ModelWithPool();
        Verdict v = model.Step(new Malloc(P1, 24), Observation.Block(Base + 0x108, 32));
        Assert.False(v.IsAllowed);
        Assert.Contains("not 16-byte aligned", v.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Result_outside_the_pool_or_smaller_than_requested_is_a_violation()
    {
        var model = ModelWithPool();
        Assert.Contains("outside the area", model.Step(new Malloc(P1, 32), Observation.Block(Base + PoolSize - 16, 32)).Message, StringComparison.Ordinal);
        Assert.Contains("at least 33", model.Step(new Malloc(P1, 33), Observation.Block(Base, 32)).Message, StringComparison.Ordinal);
        Assert.Contains("at least 1", model.Step(new Malloc(P1, 0), Observation.Block(Base, 0)).Message, StringComparison.Ordinal);
        Assert.True(model.Step(new Malloc(P1, 0), Observation.Block(Base, 16)).IsAllowed);
    }

    [Fact]
    public void Calloc_overflow_must_return_null()
    {
        var model = ModelWithPool();
        Verdict bad = model.Step(new CallocOverflow(P1, 1UL << 33, 1UL << 31), Observation.Block(Base, 16));
        Assert.False(bad.IsAllowed);
        Assert.Contains("overflows 64 bits", bad.Message, StringComparison.Ordinal);
        Assert.StartsWith("CallocOverflow: ", bad.Message, StringComparison.Ordinal);
        Assert.True(model.Step(new CallocOverflow(P1, 1UL << 33, 1UL << 31), Observation.Null).IsAllowed);
        Assert.Equal(new PoolStatistics(0, 0, 0, FailedAllocations: 1), model.Statistics(P1));
    }

    [Fact]
    public void Null_from_an_empty_pool_at_or_below_MaxSingleRequest_is_a_violation()
    {
        var model = ModelWithPool();
        Verdict v = model.Step(new Malloc(P1, MaxSingle), Observation.Null);
        Assert.False(v.IsAllowed);
        Assert.Contains("has no live blocks", v.Message, StringComparison.Ordinal);
        Assert.False(model.Step(new Calloc(P1, 2, 16), Observation.Null).IsAllowed);
        Assert.False(model.Step(new Realloc(P1, BlockRef.Null, 100), Observation.Null).IsAllowed);
        // Above MaxSingleRequest, or once the pool holds a block, NULL means out of memory: allowed.
        Assert.True(model.Step(new Malloc(P1, MaxSingle + 1), Observation.Null).IsAllowed);
        Allocated(model, new Malloc(P1, 16), Base + 0x100, 16);
        Assert.True(model.Step(new Malloc(P1, 64), Observation.Null).IsAllowed);
    }

    [Fact]
    public void Request_above_capacity_must_return_null()
    {
        var model = ModelWithPool();
        Verdict v = model.Step(new ImpossibleSize(P1, PoolSize + 1), Observation.Block(Base, PoolSize + 16));
        Assert.False(v.IsAllowed);
        Assert.Contains("above the capacity", v.Message, StringComparison.Ordinal);
        Assert.True(model.Step(new ImpossibleSize(P1, ulong.MaxValue), Observation.Null).IsAllowed);
    }

    [Fact]
    public void Double_free_is_refused_and_counted()
    {
        var model = ModelWithPool();
        BlockRecord b = Allocated(model, new Malloc(P1, 100), Base + 0x200, 112);
        Assert.Equal(new PoolStatistics(1, 112, 0), model.Statistics(P1));
        Assert.True(model.Step(new Free(P1, BlockRef.Of(b.Id)), Observation.Null).IsAllowed);
        Assert.Equal(new PoolStatistics(0, 0, 0), model.Statistics(P1));
        Verdict again = model.Step(new DoubleFree(P1, BlockRef.Of(b.Id)), Observation.Null);
        Assert.True(again.IsAllowed);
        Assert.Contains("refused", again.Message, StringComparison.Ordinal);
        Assert.Equal(new PoolStatistics(0, 0, 1), model.Statistics(P1));
        Assert.True(model.CheckStatistics(P1, new PoolStatistics(0, 0, 1)).IsAllowed);
        Assert.False(model.CheckStatistics(P1, new PoolStatistics(0, 0, 0)).IsAllowed);
        // free(NULL) does nothing and is not counted.
        model.Step(new Free(P1, BlockRef.Null), Observation.Null);
        Assert.Equal(1, model.Statistics(P1)!.Value.RefusedFrees);
    }

    [Fact]
    public void Interior_foreign_and_other_pool_frees_are_refused()
    {
        var model = ModelWithPool();
        model.Step(new CreatePool(BeConstants.BaseAddress, PoolSize, BeConstants.LazyLock, ReadWrite), Observation.Pool(0x6000, new PoolGeometry(Base + PoolSize, PoolSize, MaxSingle)));
        BlockRecord a = Allocated(model, new Malloc(P1, 64), Base + 0x100, 64);
        BlockRecord b = Allocated(model, new Malloc(PoolRef.Of(2), 64), Base + PoolSize + 0x100, 64);
        model.Step(new InteriorFree(P1, BlockRef.Of(a.Id), 16), Observation.Null);
        model.Step(new ForeignFree(P1, 0x1234_5670), Observation.Null);
        model.Step(new Free(P1, BlockRef.Of(b.Id)), Observation.Null);
        Assert.Equal(new PoolStatistics(1, 64, 3), model.Statistics(P1));
        Assert.Equal(new PoolStatistics(1, 64, 0), model.Statistics(PoolRef.Of(2)));
        // realloc of another pool's block is refused too: NULL required, counted.
        Assert.False(model.Step(new Realloc(P1, BlockRef.Of(b.Id), 128), Observation.Block(Base + 0x400, 128)).IsAllowed);
        Assert.True(model.Step(new Realloc(P1, BlockRef.Of(b.Id), 128), Observation.Null).IsAllowed);
        Assert.Equal(4, model.Statistics(P1)!.Value.RefusedFrees);
        Assert.True(model.IsLive(b));
    }

    [Fact]
    public void Realloc_of_a_freed_pointer_is_refused_and_realloc_to_zero_frees()
    {
        var model = ModelWithPool();
        BlockRecord a = Allocated(model, new Malloc(P1, 64), Base + 0x100, 64);
        Assert.False(model.Step(new Realloc(P1, BlockRef.Of(a.Id), 0), Observation.Block(Base + 0x100, 64)).IsAllowed);
        Assert.True(model.Step(new Realloc(P1, BlockRef.Of(a.Id), 0), Observation.Null).IsAllowed);
        Assert.False(model.IsLive(a));
        Assert.Equal(new PoolStatistics(0, 0, 0), model.Statistics(P1));
        Verdict v = model.Step(new FreedPointerToRealloc(P1, BlockRef.Of(a.Id), 32), Observation.Null);
        Assert.True(v.IsAllowed, v.Message);
        Assert.Equal(new PoolStatistics(0, 0, 1), model.Statistics(P1));
    }

    [Fact]
    public void Realloc_keeps_the_prefix_and_releases_the_old_block()
    {
        var model = ModelWithPool();
        BlockRecord a = Allocated(model, new Malloc(P1, 16), Base + 0x100, 16);
        Assert.Equal(0UL, a.Contents.DefinedAtBirth);
        byte[] aBytes = ContentRules.ExpectedBytes(a);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)(a.Id * 31 + i * 7 + 1)), aBytes);

        // Grow, moved: first 16 bytes are a's, the rest the new block's pattern; may overlap the old range.
        BlockRecord b = Allocated(model, new Realloc(P1, BlockRef.Of(a.Id), 40), Base + 0x100 - 16, 48);
        Assert.False(model.IsLive(a));
        Assert.Equal(16UL, b.Contents.DefinedAtBirth);
        byte[] bBytes = ContentRules.ExpectedBytes(b);
        Assert.Equal(aBytes, bBytes[..16]);
        Assert.Equal(Enumerable.Range(16, 24).Select(i => ContentRules.PatternByte(b.Id, (ulong)i)), bBytes[16..]);
        Assert.Equal(new PoolStatistics(1, 48, 0), model.Statistics(P1));

        // Shrink in place: the 8 kept bytes are still a's (chain shortcut straight to a).
        BlockRecord c = Allocated(model, new Realloc(P1, BlockRef.Of(b.Id), 8), b.Address, 48);
        Assert.Same(a.Contents, c.Contents.Prefix);
        Assert.Equal(aBytes[..8], ContentRules.ExpectedBytes(c));

        // The driver's check: a wrong byte inside the prefix is reported as such.
        byte[] memory = ContentRules.ExpectedBytes(c);
        Assert.True(ContentRules.CheckBytes(c, memory).IsAllowed);
        memory[3] ^= 0xFF;
        Verdict wrong = ContentRules.CheckBytes(c, memory);
        Assert.False(wrong.IsAllowed);
        Assert.Contains("byte 3", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("prefix realloc must preserve", wrong.Message, StringComparison.Ordinal);

        // NULL from realloc: old block intact and live.
        Assert.True(model.Step(new Realloc(P1, BlockRef.Of(c.Id), 4096), Observation.Null).IsAllowed);
        Assert.True(model.IsLive(c));
    }

    [Fact]
    public void Calloc_blocks_are_zero_and_realloc_keeps_the_zeros()
    {
        var model = ModelWithPool();
        BlockRecord z = Allocated(model, new Calloc(P1, 3, 8), Base + 0x100, 32);
        Assert.Equal(24UL, z.Contents.DefinedAtBirth);
        Assert.All(ContentRules.ExpectedBytes(z), x => Assert.Equal(0, x));
        Assert.Contains("calloc memory must be zero", ContentRules.CheckBytes(z, new byte[24] { 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).Message, StringComparison.Ordinal);
        BlockRecord g = Allocated(model, new Realloc(P1, BlockRef.Of(z.Id), 64), Base + 0x200, 64);
        byte[] bytes = ContentRules.ExpectedBytes(g);
        Assert.All(bytes[..24], x => Assert.Equal(0, x));
        Assert.Equal(ContentRules.PatternByte(g.Id, 24), bytes[24]);
    }

    [Fact]
    public void Last_put_module_deletes_every_pool()
    {
        var model = ModelWithPool();
        Assert.True(model.Step(new GetModule(BeConstants.ModuleName), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.False(model.Step(new GetModule("generic/area_malloc/v2"), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.True(model.Step(new GetModule("generic/area_malloc/v2"), Observation.Returned(BeConstants.StatusEntryNotFound)).IsAllowed);
        BlockRecord a = Allocated(model, new Malloc(P1, 64), Base + 0x100, 64);
        Assert.Equal(2, model.ModuleUsers);

        Assert.True(model.Step(new PutModule(), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.True(model.Pool(1).IsLive);
        Assert.True(model.Step(new PutModule(), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.False(model.Pool(1).IsLive);
        Assert.False(model.IsLive(a));
        Assert.Null(model.Statistics(P1));
        Assert.Equal(0, model.LiveBlocks.Count);

        // The deleted pool: delete_pool says B_ERROR, malloc NULL, free nothing; put when not held: B_BAD_VALUE.
        Assert.False(model.Step(new DeletePool(P1), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.True(model.Step(new OperationOnDeletedPool(P1, PoolCallKind.Delete, BlockRef.Null, 0), Observation.Returned(BeConstants.StatusError)).IsAllowed);
        Assert.False(model.Step(new OperationOnDeletedPool(P1, PoolCallKind.Malloc, BlockRef.Null, 16), Observation.Block(Base + 0x100, 16)).IsAllowed);
        Assert.True(model.Step(new OperationOnDeletedPool(P1, PoolCallKind.Free, BlockRef.Of(a.Id), 0), Observation.Null).IsAllowed);
        Assert.False(model.Step(new PutModule(), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.True(model.Step(new PutModule(), Observation.Returned(BeConstants.StatusBadValue)).IsAllowed);
        Assert.Equal(0, model.ModuleUsers);
    }

    [Fact]
    public void Delete_pool_releases_its_blocks_and_garbage_ids_are_not_pools()
    {
        var model = ModelWithPool();
        BlockRecord a = Allocated(model, new Malloc(P1, 64), Base + 0x100, 64);
        Assert.False(model.Step(new DeletePool(P1), Observation.Returned(BeConstants.StatusError)).IsAllowed);
        Assert.True(model.Step(new DeletePool(P1), Observation.Returned(BeConstants.StatusOk)).IsAllowed);
        Assert.False(model.IsLive(a));
        var garbage = PoolRef.Raw(AllocatorModel.GarbagePoolHandle);
        Assert.True(model.Step(new DeletePool(garbage), Observation.Returned(BeConstants.StatusError)).IsAllowed);
        Assert.False(model.Step(new Malloc(garbage, 8), Observation.Block(Base, 16)).IsAllowed);
        Assert.True(model.Step(new Free(garbage, BlockRef.Raw(Base)), Observation.Null).IsAllowed);
        // A new pool may reuse the area; its blocks may reuse the old addresses.
        model.Step(new CreatePool(BeConstants.AnyAddress, PoolSize, BeConstants.NoLock, ReadWrite), Observation.Pool(0x5000, Geometry));
        Allocated(model, new Malloc(PoolRef.Of(2), 64), Base + 0x100, 64);
    }

    [Theory]
    [InlineData(BeConstants.ExactAddress, 8192u, BeConstants.NoLock, ReadWrite)]
    [InlineData(BeConstants.CloneAddress, 8192u, BeConstants.NoLock, ReadWrite)]
    [InlineData(6u, 8192u, BeConstants.NoLock, ReadWrite)]
    [InlineData(BeConstants.AnyAddress, 5000u, BeConstants.NoLock, ReadWrite)]
    [InlineData(BeConstants.AnyAddress, 0u, BeConstants.NoLock, ReadWrite)]
    [InlineData(BeConstants.AnyAddress, 8192u, 5u, ReadWrite)]
    [InlineData(BeConstants.AnyAddress, 8192u, BeConstants.NoLock, BeConstants.ReadArea)]
    [InlineData(BeConstants.AnyAddress, 8192u, BeConstants.NoLock, ReadWrite | 8u)]
    public void Invalid_create_pool_must_return_null(uint addressSpec, uint size, uint lockSpec, uint protection)
    {
        var model = new AllocatorModel(new ModelParameters(MinimumPoolSize: 8192));
        var op = new CreatePool(addressSpec, size, lockSpec, protection);
        Assert.True(model.Step(op, Observation.Null).IsAllowed);
        Assert.False(model.Step(op, Observation.Pool(0x5000, new PoolGeometry(Base, size, 0))).IsAllowed);
    }

    [Theory]
    [InlineData(BeConstants.AnyKernelBlockAddress, 8192u, BeConstants.NoLock, BeConstants.KernelWriteArea, false)]
    [InlineData(BeConstants.BaseAddress, 8192u, BeConstants.LazyLock, ReadWrite, true)]
    [InlineData(BeConstants.AnyAddress, 8192u, BeConstants.FullLock, ReadWrite, true)]
    [InlineData(BeConstants.AnyKernelAddress, 8192u, BeConstants.LowMemory, ReadWrite, true)]
    [InlineData(BeConstants.AnyAddress, 4096u, BeConstants.NoLock, ReadWrite, true)]
    public void Valid_create_pool_succeeds_unless_the_OS_or_minimum_may_refuse(uint addressSpec, uint size, uint lockSpec, uint protection, bool nullAllowed)
    {
        var model = new AllocatorModel(new ModelParameters(MinimumPoolSize: 8192));
        var op = new CreatePool(addressSpec, size, lockSpec, protection);
        Assert.Equal(nullAllowed, model.Clone().Step(op, Observation.Null).IsAllowed);
        Assert.True(model.Step(op, Observation.Pool(0x5000, new PoolGeometry(Base, size, 1024))).IsAllowed);
        // Same id while live, wrong size, or an overlapping area: violations.
        Assert.False(model.Step(op, Observation.Pool(0x5000, new PoolGeometry(Base + 0x100000, size, 1024))).IsAllowed);
        Assert.False(model.Step(op, Observation.Pool(0x6000, new PoolGeometry(Base + 0x100000, size + 4096, 1024))).IsAllowed);
        Assert.False(model.Step(op, Observation.Pool(0x6000, new PoolGeometry(Base, size, 1024))).IsAllowed);
    }

    [Fact]
    public void Clone_is_independent_and_pickers_are_deterministic()
    {
        var model = ModelWithPool();
        for (int i = 0; i < 300; i++)
        {
            Allocated(model, new Malloc(P1, 32), Base + (ulong)i * 32, 32);
        }

        AllocatorModel copy = model.Clone();
        BlockRef first = model.PickLiveBlock(P1, 0);
        Assert.Equal(1, first.Id);
        Assert.True(model.Step(new Free(P1, first), Observation.Null).IsAllowed);
        Assert.Equal(299, model.Statistics(P1)!.Value.LiveBlocks);
        Assert.Equal(300, copy.Statistics(P1)!.Value.LiveBlocks);
        Assert.False(copy.Step(new Malloc(P1, 16), Observation.Block(Base, 16)).IsAllowed);
        Assert.True(model.Step(new Malloc(P1, 16), Observation.Block(Base, 16)).IsAllowed);
        Assert.Equal(1, model.PickFreedBlock(7).Id);
        Assert.Equal(PoolRef.Raw(AllocatorModel.GarbagePoolHandle), model.PickDeletedPool(3));
    }
}
