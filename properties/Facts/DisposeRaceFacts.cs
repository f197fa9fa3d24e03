using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Idiomatic;

namespace AreaMalloc.Properties.Facts;

/// <summary>
/// An <see cref="AreaPool"/> made with <see cref="PoolOptions.SafeDeletion"/>: a call that has passed its "not disposed"
/// check and then loses the race to <see cref="AreaPool.Dispose"/> throws <see cref="ObjectDisposedException"/>, never
/// "no room" or "not a live block". The race is made deterministic: the test holds the pool's lock (the one every call
/// takes), lets the call block on it, deletes the pool as <see cref="AreaPool.Dispose"/> does (the body of delete_pool,
/// under the lock it holds: the lock is not reentrant), then lets the call go on.
/// </summary>
public sealed class DisposeRaceFacts
{
    [Fact]
    public void An_allocation_that_loses_the_race_to_dispose_throws_ObjectDisposedException()
    {
        Exception? thrown = LoseTheRace((pool, _) => pool.Allocate(16));
        AssertDisposedAreaPool(thrown);
    }

    [Fact]
    public void A_zeroed_allocation_that_loses_the_race_to_dispose_throws_ObjectDisposedException()
    {
        Exception? thrown = LoseTheRace((pool, _) => pool.AllocateZeroed(4, 4));
        AssertDisposedAreaPool(thrown);
    }

    [Fact]
    public void A_free_that_loses_the_race_to_dispose_throws_ObjectDisposedException()
    {
        Exception? thrown = LoseTheRace((pool, block) => pool.Free(block));
        AssertDisposedAreaPool(thrown);
    }

    [Fact]
    public void A_resize_that_loses_the_race_to_dispose_throws_ObjectDisposedException()
    {
        Exception? thrown = LoseTheRace((pool, block) => pool.Resize(block, 64));
        AssertDisposedAreaPool(thrown);
    }

    /// <summary>The exception of a call on a disposed <see cref="AreaPool"/>: ObjectDisposedException naming the AreaPool the caller used.</summary>
    private static void AssertDisposedAreaPool(Exception? thrown)
    {
        var disposed = Assert.IsType<ObjectDisposedException>(thrown);
        Assert.Equal(typeof(AreaPool).FullName, disposed.ObjectName);
    }

    /// <summary>
    /// Runs <paramref name="call"/> (given the pool and a live block of it) on another thread so that it blocks on the
    /// pool's lock after its own checks, disposes the pool meanwhile, and returns what the call threw.
    /// </summary>
    private static Exception? LoseTheRace(Action<AreaPool, nint> call)
    {
        var areas = new AreaRegistry(new LinuxAreaBackend());
        AreaPool pool = AreaPool.Create(1 << 16, new PoolOptions { Areas = areas, Settings = new PoolSettings { Behavior = PoolBehavior.SafeDeletion } });
        nint block = pool.Allocate(16);
        PoolLock gate = pool.Allocator.Lock;
        Exception? thrown = null;
        var caller = new Thread(() =>
        {
            try
            {
                call(pool, block);
            }
            catch (Exception e)
            {
                thrown = e;
            }
        });
        gate.Enter();
        try
        {
            caller.Start();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((caller.ThreadState & ThreadState.WaitSleepJoin) == 0)
            {
                Assert.True(caller.IsAlive, "the call finished without waiting for the pool's lock");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the call never blocked on the pool's lock");
                Thread.Yield();
            }

            Assert.Equal(B_OK, pool.Allocator.DeleteLocked());
        }
        finally
        {
            gate.Exit();
        }

        Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the call did not finish once the lock was free");
        Assert.True(pool.Allocator.IsDeleted);
        Assert.Equal(0, areas.Count);
        return thrown;
    }
}
