using System.Runtime.ExceptionServices;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Runner;

namespace AreaMalloc.Properties.Pool;

/// <summary>
/// The pool's lock (<see cref="PoolLock"/>) on real threads: it admits one holder at a time, a thread that finds it
/// held waits until it is given up, every waiter gets it in turn, and it ends free with no waiter registered. Every
/// fact runs its body on a background thread and every wait is bounded, so a lock that blocks its first holder or
/// never wakes a waiter fails the fact in seconds instead of hanging the run, and cannot keep the process alive. The
/// class runs first in fail-fast mode (<see cref="RunsFirstAttribute"/>), since every pool operation takes this lock.
/// The interleavings that threads seldom produce are explored by Coyote (concurrency-tests, scenario <c>pool-lock</c>).
/// </summary>
[RunsFirst]
public sealed class PoolLockFacts
{
    /// <summary>How long any one wait may take: a correct lock hands over in microseconds, even on a loaded machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    [Fact]
    public void An_uncontended_enter_takes_the_lock_and_exit_frees_it() => Bounded(() =>
    {
        var gate = new PoolLock();
        Assert.False(gate.IsHeld, "a new lock is held");
        for (int round = 0; round < 3; round++)
        {
            gate.Enter();
            Assert.True(gate.IsHeld, $"round {round}: the lock is not held after Enter");
            Assert.Equal(0, gate.Waiters);
            gate.Exit();
            Assert.False(gate.IsHeld, $"round {round}: the lock is still held after Exit");
            Assert.Equal(0, gate.Waiters);
        }

        using (gate.Hold())
            Assert.True(gate.IsHeld, "the lock is not held inside a Hold scope");
        Assert.False(gate.IsHeld, "the lock is still held after its Hold scope ended");
    });

    [Fact]
    public void A_thread_that_finds_the_lock_held_registers_and_waits_until_the_holder_exits() => Bounded(() =>
    {
        var gate = new PoolLock();
        bool entered = false;
        gate.Enter();
        Thread waiter = StartBackground(() =>
        {
            gate.Enter();
            Volatile.Write(ref entered, true);
            gate.Exit();
        });
        AwaitWaiters(gate, 1);
        Assert.False(Volatile.Read(ref entered), "a thread took the lock while another held it");
        gate.Exit();
        Assert.True(waiter.Join(Patience), "the waiting thread was not given the lock once its holder exited");
        Assert.True(Volatile.Read(ref entered));
        Assert.False(gate.IsHeld, "the lock is still held after both threads left it");
        Assert.Equal(0, gate.Waiters);
    });

    [Fact]
    public void Every_waiter_gets_the_lock_in_turn_once_the_holder_exits() => Bounded(() =>
    {
        const int Waiting = 3;
        var gate = new PoolLock();
        int inside = 0, maxInside = 0, done = 0;
        gate.Enter();
        Thread[] waiters = Enumerable.Range(0, Waiting).Select(_ => StartBackground(() =>
        {
            gate.Enter();
            int now = ++inside;
            maxInside = Math.Max(maxInside, now);
            Thread.Sleep(1); // holding: a later waiter finds the lock held again
            inside--;
            done++;
            gate.Exit();
        })).ToArray();
        AwaitWaiters(gate, Waiting);
        gate.Exit();
        foreach (Thread waiter in waiters)
            Assert.True(waiter.Join(Patience), "a waiting thread never got the lock (a waiter was left asleep)");
        Assert.Equal(Waiting, done);
        Assert.Equal(1, maxInside);
        Assert.False(gate.IsHeld, "the lock is still held after every thread left it");
        Assert.Equal(0, gate.Waiters);
    });

    [Fact]
    public void Threads_contending_for_the_lock_never_hold_it_together_and_lose_no_update()
    {
        const int Threads = 4, Rounds = 5_000;
        var gate = new PoolLock();
        long count = 0;
        int inside = 0, maxInside = 0;
        Thread[] workers = Enumerable.Range(0, Threads).Select(_ => StartBackground(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                gate.Enter();
                int now = ++inside;
                if (now > maxInside)
                    maxInside = now;
                long seen = count;
                // Now and then hold the lock across a yield, so that the others spin out, register and are woken.
                if ((i & 63) == 0)
                    Thread.Yield();
                count = seen + 1;
                inside--;
                gate.Exit();
            }
        })).ToArray();
        // A loaded machine may take long to run every round; a waiter left asleep stops the count for good. So the
        // fact fails when the count stands still for the whole patience, not when the rounds take long.
        long last = -1;
        var still = System.Diagnostics.Stopwatch.StartNew();
        while (!workers.All(w => w.Join(TimeSpan.FromMilliseconds(50))))
        {
            long now = Interlocked.Read(ref count);
            if (now != last)
            {
                last = now;
                still.Restart();
            }
            Assert.True(still.Elapsed < Patience * 2,
                $"the count stood still at {now} of {(long)Threads * Rounds} for {(Patience * 2).TotalSeconds} s: a waiter was left asleep (held {gate.IsHeld}, {gate.Waiters} waiter(s), woken {gate.WaiterWoken})");
        }
        Assert.Equal(1, maxInside);
        Assert.Equal((long)Threads * Rounds, count);
        Assert.False(gate.IsHeld, "the lock is still held after every thread left it");
        Assert.Equal(0, gate.Waiters);
    }

    // WakeOne in the states that only races produce: Exit calls it after seeing waiters and none woken, and by the time
    // it looks again another thread may have taken the lock, or exited and woken a waiter itself.

    [Fact]
    public void An_exit_that_finds_a_waiter_already_woken_releases_no_second_permit() =>
        AssertWakeOne(held: false, waiters: 1, woken: true, permitsExpected: 0);

    [Fact]
    public void An_exit_that_finds_the_lock_held_again_leaves_the_wake_to_that_holder() =>
        AssertWakeOne(held: true, waiters: 2, woken: false, permitsExpected: 0);

    [Fact]
    public void An_exit_with_no_waiter_registered_wakes_nobody() =>
        AssertWakeOne(held: false, waiters: 0, woken: false, permitsExpected: 0);

    [Fact]
    public void An_exit_that_finds_waiters_and_none_woken_releases_exactly_one_permit() =>
        AssertWakeOne(held: false, waiters: 2, woken: false, permitsExpected: 1);

    /// <summary>
    /// Calls WakeOne on a lock in the given state and checks that it released <paramref name="permitsExpected"/>
    /// permits, marked a waiter woken exactly when it released one (and never cleared the mark: only the woken waiter
    /// does), and left the holder and the waiter count as they were.
    /// </summary>
    private static void AssertWakeOne(bool held, int waiters, bool woken, int permitsExpected)
    {
        string state = $"held {held}, {waiters} waiter(s), woken {woken}";
        bool wokenExpected = woken || permitsExpected == 1;
        var gate = PoolLock.InState(held, waiters, woken);
        gate.WakeOne();
        Assert.True(gate.PermitsOutstanding == permitsExpected, $"{state}: expected {permitsExpected} permit(s) released, found {gate.PermitsOutstanding}");
        Assert.True(gate.WaiterWoken == wokenExpected, $"{state}: expected the woken bit {(wokenExpected ? "set" : "clear")}, found it {(gate.WaiterWoken ? "set" : "clear")}");
        Assert.True(gate.Waiters == waiters, $"{state}: expected {waiters} waiter(s) registered, found {gate.Waiters}");
        Assert.True(gate.IsHeld == held, $"{state}: expected the lock {(held ? "held" : "free")}, found it {(gate.IsHeld ? "held" : "free")}");
    }

    /// <summary>Runs <paramref name="body"/> on a background thread; fails when it does not end within <see cref="Patience"/>, and rethrows what it threw.</summary>
    private static void Bounded(Action body)
    {
        ExceptionDispatchInfo? thrown = null;
        Thread thread = StartBackground(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                thrown = ExceptionDispatchInfo.Capture(e);
            }
        });
        Assert.True(thread.Join(Patience * 2), $"the fact did not end within {(Patience * 2).TotalSeconds} s: a thread waits for a lock that is never given up");
        thrown?.Throw();
    }

    private static Thread StartBackground(Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true };
        thread.Start();
        return thread;
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> threads are registered to wait for <paramref name="gate"/>.</summary>
    private static void AwaitWaiters(PoolLock gate, int count)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (gate.Waiters < count)
        {
            Assert.True(clock.Elapsed < Patience, $"{gate.Waiters} of {count} threads registered to wait for the held lock within {Patience.TotalSeconds} s");
            Thread.Sleep(1);
        }
        Assert.Equal(count, gate.Waiters);
    }
}
