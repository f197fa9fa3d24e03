using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.BeModule;

/// <summary>
/// Pool ids, as the handle table makes and checks them: <c>[tag 0xA7:8][generation:32][slot+1:24]</c>, a full table
/// refuses, a removed pool's slot is reused under a new generation, and the counts follow.
/// </summary>
public sealed unsafe class PoolHandleTableFacts : IDisposable
{
    private const long Tag = 0xA7L << 56;
    private readonly PoolAllocator _pool = PoolFixture.NewPool(1 << 16);

    public void Dispose() => _pool.Delete();

    private static nint Id(uint generation, uint slotPlusOne) => unchecked((nint)(Tag | ((long)generation << 24) | slotPlusOne));

    [SpecRow("mod-pool-ids")]
    [Fact]
    public void The_first_id_names_slot_one_at_generation_one_and_a_reused_slot_gets_the_next_generation()
    {
        var table = new PoolHandleTable();
        nint first = table.Add(_pool);
        Assert.Equal(Id(1, 1), first);
        Assert.Equal(Id(1, 2), table.Add(_pool));
        Assert.Same(_pool, table.Remove(first));
        Assert.Equal(1, table.Count);
        Assert.Equal(Id(2, 1), table.Add(_pool));
        Assert.Null(table.Find(first));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void A_full_table_refuses_with_id_0_until_a_pool_is_removed()
    {
        var table = new PoolHandleTable(capacity: 2);
        nint a = table.Add(_pool), b = table.Add(_pool);
        Assert.True(a != 0 && b != 0 && a != b);
        Assert.Equal(0, table.Add(_pool));
        Assert.Equal(2, table.Count);
        table.Remove(a);
        Assert.NotEqual(0, table.Add(_pool));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(PoolHandleTable.MaxSlots + 1)]
    public void A_table_holds_at_least_one_and_at_most_MaxSlots_pools(uint capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoolHandleTable(capacity));
    }

    [Theory]
    [InlineData(1u, 17u)]                          // the first slot past the initial 16
    [InlineData(1u, PoolHandleTable.MaxSlots)]     // the last slot an id can name
    [InlineData(1u, 0u)]                           // slot field 0: no slot
    [InlineData(0u, 1u)]                           // generation 0: never handed out
    public void A_tagged_id_naming_no_live_slot_is_refused(uint generation, uint slotPlusOne)
    {
        var table = new PoolHandleTable();
        table.Add(_pool);
        Assert.Null(table.Find(Id(generation, slotPlusOne)));
        Assert.Null(table.Remove(Id(generation, slotPlusOne)));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Remove_all_returns_how_many_pools_stay_and_frees_the_slots_of_the_others()
    {
        var table = new PoolHandleTable();
        nint[] ids = [table.Add(_pool), table.Add(_pool), table.Add(_pool)];
        int offered = 0;
        Assert.Equal(2, table.RemoveAll(_ => ++offered == 2));
        Assert.Equal(3, offered);
        Assert.Equal(2, table.Count);
        Assert.Null(table.Find(ids[1]));
        Assert.Same(_pool, table.Find(ids[0]));
        Assert.Equal(0, table.RemoveAll(_ => true));
        Assert.Equal(0, table.Count);
        long reused = table.Add(_pool);
        Assert.True((reused & 0xFF_FFFF) is >= 1 and <= 3, $"0x{reused:x} names a new slot: the freed ones are not reused");
        Assert.Equal(2L, (reused >> 24) & 0xFFFF_FFFF); // the slot's second pool
    }

    [Fact]
    public void Remove_all_on_a_table_whose_slot_array_is_exactly_full()
    {
        var table = new PoolHandleTable();
        for (int i = 0; i < 16; i++)
            table.Add(_pool);
        Assert.Equal(0, table.RemoveAll(_ => true));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_module_with_a_full_table_returns_null_and_unmaps_the_pool_it_could_not_register()
    {
        var areas = new AreaRegistry(new LinuxAreaBackend());
        var module = new AreaMallocModule(areas, PoolSettings.Default, maxPools: 1);
        void* kept = module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
        Assert.True(kept != null);
        Assert.True(module.CreatePool(B_ANY_ADDRESS, 1 << 16, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA) == null);
        Assert.Equal(1, areas.Count);
        Assert.Equal(1, module.PoolCount);
        Assert.Equal(B_OK, module.DeletePool(kept));
        Assert.Equal(0, areas.Count);
        Assert.Equal(0, module.PoolCount);
    }
}
