using AreaMalloc.Pool;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Waiting;

namespace AreaMalloc.Properties.Harness;

/// <summary>
/// A test that waits on a thread blocked on the pool's lock gives up within its own budget and says why, naming the
/// waiters and the holder, instead of hanging the run.
/// </summary>
public class BoundedWaitFacts
{
    [Fact]
    public void A_wait_on_a_thread_blocked_on_a_lock_never_released_fails_naming_the_waiters_and_the_holder()
    {
        PoolAllocator pool = PoolFixture.NewPool(1 << 20);
        pool.Lock.Enter(); // a holder that never exits (until the fact is done)
        var blocked = new Thread(() => pool.Free(pool.Malloc(16))) { IsBackground = true };
        blocked.Start();
        try
        {
            TimeoutException e = Assert.Throws<TimeoutException>(() =>
                Bounded.Join(blocked, "a malloc on the pool", Bounded.LockOf(pool), TimeSpan.FromMilliseconds(500)));
            Assert.Contains("a malloc on the pool did not finish within", e.Message, StringComparison.Ordinal);
            Assert.Contains($"the pool's lock was never released: 1 waiters, held by managed thread {Environment.CurrentManagedThreadId}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            pool.Lock.Exit();
        }

        Bounded.Join(blocked, "the malloc once the lock was given up", Bounded.LockOf(pool));
        Assert.Contains("the pool's lock is free: 0 waiters", Bounded.LockOf(pool)(), StringComparison.Ordinal);
        pool.Delete();
    }

    [Fact]
    public void A_lock_left_free_with_waiters_never_woken_is_named_a_lost_wake_up()
    {
        Assert.Equal("the pool's lock is free but its waiters were never woken (a lost wake-up): 2 waiters, free, a waiter woken: no, permits outstanding: 0",
            Bounded.LockState(PoolLock.InState(held: false, waiters: 2, woken: false)));
        Assert.Equal("the pool's lock was never released: 2 waiters, held (holder not tracked), a waiter woken: no, permits outstanding: 0",
            Bounded.LockState(PoolLock.InState(held: true, waiters: 2, woken: false)));
        Assert.Equal("the pool's lock is free: 1 waiters, free, a waiter woken: yes, permits outstanding: 0",
            Bounded.LockState(PoolLock.InState(held: false, waiters: 1, woken: true)));
    }

    [Fact]
    public void Each_kind_of_bounded_wait_fails_within_its_budget_with_its_name()
    {
        TimeSpan budget = TimeSpan.FromMilliseconds(100);
        using var never = new ManualResetEventSlim();
        using var alone = new Barrier(2);
        var sleeper = new Thread(() => never.Wait()) { IsBackground = true };
        sleeper.Start();
        Assert.Contains("the event", Assert.Throws<TimeoutException>(() => Bounded.Wait(never, "the event", budget: budget)).Message, StringComparison.Ordinal);
        Assert.Contains("the task", Assert.Throws<TimeoutException>(() => Bounded.Wait(Task.Delay(Timeout.Infinite), "the task", () => "why", budget)).Message, StringComparison.Ordinal);
        Assert.Contains("the barrier", Assert.Throws<TimeoutException>(() => Bounded.SignalAndWait(alone, "the barrier", budget: budget)).Message, StringComparison.Ordinal);
        Assert.Contains("thread 0 still running", Assert.Throws<TimeoutException>(() => Bounded.JoinAll([sleeper], "the sleepers", budget: budget)).Message, StringComparison.Ordinal);
        never.Set();
        Bounded.Join(sleeper, "the sleeper once woken");
        Bounded.Wait(Task.CompletedTask, "a finished task");
    }
}
