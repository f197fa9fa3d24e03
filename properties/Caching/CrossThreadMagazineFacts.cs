using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Caching;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Waiting;

namespace AreaMalloc.Properties.Caching;

/// <summary>
/// The laws of per-thread magazines across real threads: a block freed on another thread than the one that allocated
/// it is reused there and never handed out twice; a block freed by two threads at once is freed once; the blocks
/// cached by a thread that ended come back to the pool. (Coyote explores the same laws systematically in the
/// concurrency tests; these run them on real threads, with the real memory model.)
/// </summary>
public sealed class CrossThreadMagazineFacts
{
    private static void OnThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        Bounded.Join(thread, "the other thread's action");
        if (failure is not null)
            throw new Xunit.Sdk.XunitException($"on the other thread: {failure}");
    }

    [Fact]
    public void Realloc_on_a_thread_without_a_magazine_of_the_pool_takes_the_lock_and_touches_no_other_pools_magazine()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20), other = PoolFixture.NewCachingPool(4 << 20);
        nint block = pool.Malloc(64);
        nint moved = 0, movedBack = 0;
        OnThread(() =>
        {
            moved = pool.Realloc(block, 200); // the thread's first call: it has no magazine at all
            other.Free(other.Malloc(64)); // now its magazine is the other pool's, with cached blocks of the class of 64
            movedBack = pool.Realloc(moved, 64);
        });
        Assert.True(moved != 0 && movedBack != 0, $"realloc 64 -> 200 -> 64 on a new thread: 0x{moved:x}, then 0x{movedBack:x}");
        Assert.Equal(BlockCheck.Live, pool.Check(movedBack, out ulong usable));
        Assert.Equal(64UL, usable);
        PoolFixture.AssertCountsThenDelete(other, live: 0, refused: 0);
        PoolFixture.AssertCountsThenDelete(pool, live: 1, refused: 0);
    }

    [Fact]
    public void A_block_cached_by_another_thread_is_refused_here_as_freed_and_never_handed_out_here()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        nint block = 0;
        OnThread(() =>
        {
            block = pool.Malloc(96);
            Assert.Equal(BlockCheck.Live, pool.Free(block));
        });
        Assert.NotEqual(0, block);
        Assert.Equal(BlockCheck.NotLive, pool.Check(block, out _));
        Assert.Equal(BlockCheck.NotLive, pool.Free(block));
        Assert.Equal(0, pool.Realloc(block, 200));
        // Two mallocs here never see it: it waits in the other thread's magazine until a drain.
        nint first = pool.Malloc(96), second = pool.Malloc(96);
        Assert.True(first != block && second != block, "a block cached by another thread was handed out here too");
        PoolFixture.AssertCountsThenDelete(pool, live: 2, refused: 2); // refused: the second free, the realloc
    }

    [Fact]
    public void Small_malloc_realloc_and_free_from_a_filled_magazine_never_take_the_pools_lock()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        using var ready = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        var results = new List<string>();
        bool started = false;
        var worker = new Thread(() =>
        {
            foreach (nuint size in new nuint[] { 16, 64, 1024 })
                pool.Free(pool.Malloc(size)); // binds the magazine and refills each class
            ready.Set();
            Bounded.Wait(go, "the go signal");
            Volatile.Write(ref started, true);
            foreach (nuint size in new nuint[] { 16, 64, 1024 })
            {
                nint block = pool.Malloc(size);
                results.Add($"malloc({size}) {(block != 0 ? "ok" : "NULL")}, free {pool.Free(block)}");
            }
            // Another class, the same class (at the largest small size), another class again: each from the magazine.
            nint moved = pool.Realloc(pool.Realloc(pool.Realloc(pool.Malloc(16), 1024), 1000), 64);
            results.Add($"realloc 16 -> 1024 -> 1000 -> 64 {(moved != 0 ? "ok" : "NULL")}, free {pool.Free(moved)}");
        });
        worker.Start();
        Bounded.Wait(ready, "the worker's first malloc and free", Bounded.LockOf(pool));
        bool finished;
        using (pool.Lock.Hold())
        {
            go.Set();
            finished = FinishesWhileTheLockIsHeld(worker, () => Volatile.Read(ref started));
        }
        Bounded.Join(worker, "the worker", Bounded.LockOf(pool));
        Assert.True(finished, "a small malloc, realloc or free from a filled magazine waited for the pool's lock held by another thread");
        Assert.Equal(["malloc(16) ok, free Live", "malloc(64) ok, free Live", "malloc(1024) ok, free Live", "realloc 16 -> 1024 -> 1000 -> 64 ok, free Live"], results);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    /// <summary>
    /// Called with the pool's lock held: true when <paramref name="worker"/> ends; false when, after
    /// <paramref name="started"/> says it left its last wait, it is seen blocked (<see cref="ThreadState.WaitSleepJoin"/>,
    /// which after that can only be the wait for the lock) in three polls in a row, 50 ms apart, or when it has not
    /// ended after 20 s. A worker that takes the lock is caught in about 150 ms, not at the timeout.
    /// </summary>
    private static bool FinishesWhileTheLockIsHeld(Thread worker, Func<bool> started)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        int blockedPolls = 0;
        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            bool blocked = started() && (worker.ThreadState & ThreadState.WaitSleepJoin) != 0;
            blockedPolls = blocked ? blockedPolls + 1 : 0;
            if (blockedPolls == 3 || elapsed.Elapsed > TimeSpan.FromSeconds(20))
                return false;
        }
        return true;
    }

    [Fact]
    public void A_locked_section_waits_for_a_fast_path_in_flight_before_it_drains()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        pool.Free(pool.Malloc(64));
        ThreadMagazine magazine = pool.CurrentThreadMagazine ?? throw new Xunit.Sdk.XunitException("the thread has no magazine after a malloc/free pair");
        Assert.True(magazine.TryEnter(), "the idle magazine could not be entered");
        bool drained = false;
        var statistics = new Thread(() =>
        {
            pool.GetStatistics();
            Volatile.Write(ref drained, true);
        });
        statistics.Start();
        // The magazine is Busy (a fast path in flight): GetStatistics must wait, however long this thread takes.
        bool finishedWhileBusy = statistics.Join(TimeSpan.FromMilliseconds(300));
        magazine.Exit();
        Bounded.Join(statistics, "the statistics call", Bounded.LockOf(pool));
        Assert.False(finishedWhileBusy, "GetStatistics stopped and drained a magazine while its owner was inside a fast path");
        Assert.True(Volatile.Read(ref drained));
        Assert.Equal(0, pool.CachedBlocks);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void Blocks_freed_on_another_thread_are_reused_there_and_never_handed_out_twice()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        var mine = new List<nint>();
        for (int i = 0; i < 200; i++)
            mine.Add(pool.Malloc((nuint)(16 + i % 8 * 16)));
        var theirs = new List<nint>();
        OnThread(() =>
        {
            foreach (nint block in mine)
                Assert.Equal(BlockCheck.Live, pool.Free(block));
            for (int i = 0; i < 200; i++)
                theirs.Add(pool.Malloc((nuint)(16 + i % 8 * 16)));
        });
        Assert.True(theirs.Intersect(mine).Any(), "the other thread reused none of the blocks it freed");
        var again = new List<nint>();
        for (int i = 0; i < 200; i++)
            again.Add(pool.Malloc((nuint)(16 + i % 8 * 16)));
        var all = theirs.Concat(again).ToList();
        Assert.True(all.Distinct().Count() == all.Count, $"{all.Count - all.Distinct().Count()} blocks were handed out twice");
        Assert.Equal(400L, pool.GetStatistics().LiveBlocks);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void A_block_freed_by_two_threads_at_once_is_freed_exactly_once()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        const int rounds = 2000;
        var block = new nint[rounds];
        var results = new BlockCheck[2, rounds];
        for (int r = 0; r < rounds; r++)
            block[r] = pool.Malloc(32);
        using var start = new Barrier(2);
        var threads = new Thread[2];
        for (int t = 0; t < 2; t++)
        {
            int me = t;
            threads[t] = new Thread(() =>
            {
                // Each thread first caches a block of its own, so that both free through their magazines.
                pool.Free(pool.Malloc(32));
                for (int r = 0; r < rounds; r++)
                {
                    Bounded.SignalAndWait(start, "the two freeing threads' round");
                    results[me, r] = pool.Free(block[r]);
                }
            });
            threads[t].Start();
        }
        Bounded.JoinAll(threads, "the two freeing threads", Bounded.LockOf(pool));
        for (int r = 0; r < rounds; r++)
        {
            var pair = (results[0, r], results[1, r]);
            Assert.True(pair is (BlockCheck.Live, BlockCheck.NotLive) or (BlockCheck.NotLive, BlockCheck.Live),
                $"round {r}: two frees of one block at once returned {pair}; expected one Live and one NotLive");
        }
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal((0L, (long)rounds), (stats.LiveBlocks, stats.RefusedFrees));
        PoolFixture.AssertIntact(pool);
        var reused = Enumerable.Range(0, rounds + 2).Select(_ => pool.Malloc(32)).ToList();
        Assert.True(reused.Distinct().Count() == reused.Count, "a block freed twice at once was handed out twice");
        Assert.Equal(B_OK, pool.Delete());
    }

    [Fact]
    public void The_blocks_cached_by_a_thread_that_ended_come_back_to_statistics_and_Trim()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        PoolStatistics pristine = pool.GetStatistics();
        OnThread(() =>
        {
            var blocks = Enumerable.Range(0, 64).Select(i => pool.Malloc((nuint)(8 + i * 16))).ToList();
            foreach (nint block in blocks)
                Assert.Equal(BlockCheck.Live, pool.Free(block));
        });
        Assert.True(pool.CachedBlocks > 0, "the thread left no block in its magazine");
        pool.Trim();
        PoolStatistics after = pool.GetStatistics();
        Assert.Equal((0L, 0UL, 0), (after.LiveBlocks, after.BytesInUse, after.SlabCount));
        Assert.Equal(pristine.LargestFreeBlock, after.LargestFreeBlock);
        PoolFixture.AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }
}
