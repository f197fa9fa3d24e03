using AreaMalloc.Pool;
using AreaMalloc.Properties.Runner;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.Pool;

[Expensive(3)]
public class SmokeFacts
{
    [Fact]
    public void Mixed_allocations_keep_patterns_and_integrity()
    {
        var pool = PoolFixture.NewPool(8 << 20);
        var rng = new Random(1);
        var live = new List<(nint Block, ulong Length, long Id)>();
        long id = 0;
        for (int step = 0; step < 20000; step++)
        {
            int op = rng.Next(10);
            if (op < 5 || live.Count == 0)
            {
                nuint size = (nuint)(rng.Next(4) switch { 0 => rng.Next(0, 64), 1 => rng.Next(0, 2100), 2 => rng.Next(2000, 70000), _ => rng.Next(0, 300000) });
                nint b = op == 4 ? pool.Calloc(1, size) : pool.Malloc(size);
                if (b == 0) continue;
                Assert.Equal(0, (long)b % 16);
                PoolFixture.Fill(b, size, ++id);
                live.Add((b, size, id));
            }
            else if (op < 8)
            {
                int i = rng.Next(live.Count);
                var (b, len, bid) = live[i];
                Assert.Null(PoolFixture.FindDamage(b, len, bid));
                Assert.Equal(BlockCheck.Live, pool.Free(b));
                live.RemoveAt(i);
            }
            else
            {
                int i = rng.Next(live.Count);
                var (b, len, bid) = live[i];
                nuint size = (nuint)rng.Next(1, 100000);
                nint r = pool.Realloc(b, size);
                if (r == 0) { Assert.Null(PoolFixture.FindDamage(b, len, bid)); continue; }
                ulong keep = Math.Min(len, size);
                Assert.Null(PoolFixture.FindDamage(r, keep, bid));
                PoolFixture.Fill(r, size, ++id);
                live[i] = (r, size, id);
            }
            if (step % 500 == 0)
                PoolFixture.AssertIntact(pool);
        }
        PoolFixture.AssertIntact(pool);
        foreach (var (b, len, bid) in live)
        {
            Assert.Null(PoolFixture.FindDamage(b, len, bid));
            Assert.Equal(BlockCheck.Live, pool.Free(b));
        }
        PoolFixture.AssertIntact(pool);
        pool.Trim();
        var stats = pool.GetStatistics();
        Assert.Equal(0, stats.LiveBlocks);
        Assert.Equal(pool.MaxSingleRequest, stats.LargestFreeBlock);
        Assert.Equal(0, stats.SlabCount);
        Assert.Equal(0, pool.Delete());
    }
}
