using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Waiting;

namespace AreaMalloc.Properties.Soak;

/// <summary>
/// Real threads on one pool, after mimalloc's test-stress: every block is filled with a pattern derived from its
/// identity and checked when it is freed, by whichever thread frees it (cross-thread frees through shared slots).
/// Tagged <c>Category=Stress</c>: the mutation gate leaves them out (real threads, 40 000 steps each: seconds per
/// mutant, and every mutant they could kill is killed by the single-threaded facts and the model-based property).
/// </summary>
[Trait("Category", "Stress")]
public class StressFacts
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Threads_sharing_a_pool_never_see_their_blocks_damaged(int threads)
    {
        PoolAllocator pool = PoolFixture.NewPool(64 << 20);
        const int Slots = 512, StepsPerThread = 40_000;
        var slots = new (nint Block, ulong Length, long Id)?[Slots];
        var gate = new object[Slots];
        for (int i = 0; i < Slots; i++)
            gate[i] = new object();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long nextId = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var rng = new Random(1000 + t);
            for (int step = 0; step < StepsPerThread && failures.IsEmpty; step++)
            {
                int slot = rng.Next(Slots);
                lock (gate[slot])
                {
                    if (slots[slot] is { } old)
                    {
                        if (PoolFixture.FindDamage(old.Block, old.Length, old.Id) is { } damage)
                            failures.Enqueue(damage);
                        if (pool.Free(old.Block) != BlockCheck.Live)
                            failures.Enqueue($"free of live block #{old.Id} refused");
                        slots[slot] = null;
                    }
                    else
                    {
                        ulong size = (ulong)(rng.Next(8) == 0 ? rng.Next(2049, 70_000) : rng.Next(0, 2049));
                        nint block = rng.Next(4) == 0 ? pool.Calloc(1, (nuint)size) : pool.Malloc((nuint)size);
                        if (block == 0)
                            continue;
                        long id = Interlocked.Increment(ref nextId);
                        PoolFixture.Fill(block, size, id);
                        slots[slot] = (block, size, id);
                    }
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        Bounded.JoinAll(workers, "the stress threads", Bounded.LockOf(pool));
        Assert.Empty(failures);
        PoolFixture.AssertIntact(pool);
        foreach (var entry in slots)
        {
            if (entry is not { } live)
                continue;
            Assert.Null(PoolFixture.FindDamage(live.Block, live.Length, live.Id));
            Assert.Equal(BlockCheck.Live, pool.Free(live.Block));
        }
        Assert.Equal(0, pool.GetStatistics().LiveBlocks);
        PoolFixture.AssertIntact(pool);
        pool.Delete();
    }
}
