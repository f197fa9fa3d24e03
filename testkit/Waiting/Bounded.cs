using System.Globalization;
using AreaMalloc.Pool;
using AreaMalloc.TestKit.Settings;

namespace AreaMalloc.TestKit.Waiting;

/// <summary>
/// Waits with a budget, for tests that wait on a thread, a task, an event, a barrier or the pool's lock: a wait that
/// does not end within its budget throws a <see cref="TimeoutException"/> naming what was awaited and, for a pool, the
/// state of its lock ("the pool's lock was never released: N waiters, held by ..."), long before the run's hang
/// timeout (test.runsettings, 5 minutes) would kill the test host. Budgets scale with the test budget
/// (<see cref="Budget"/>), so a certification run is not cut short.
/// </summary>
public static class Bounded
{
    /// <summary>The budget of one wait at the CI budget: a minute, a fifth of the run's hang timeout.</summary>
    public static TimeSpan CiBudget { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The budget of one wait under the current test budget: <see cref="CiBudget"/> scaled, at most 80 minutes.</summary>
    public static TimeSpan Budget => TimeSpan.FromMinutes(Math.Min(80, CiBudget.TotalMinutes * Math.Max(1, Settings.Budget.Current.Multiplier)));

    /// <summary>What a wait on <paramref name="pool"/> reports when it gives up: the state of the pool's lock.</summary>
    /// <param name="pool">The pool whose lock the awaited threads may be blocked on.</param>
    /// <returns>A diagnosis for <see cref="Join(Thread, string, Func{string}?, TimeSpan?)"/> and the others.</returns>
    public static Func<string> LockOf(PoolAllocator pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return () => LockState(pool.Lock);
    }

    /// <summary>The words every give-up on a pool's lock starts with.</summary>
    /// <param name="gate">The lock.</param>
    /// <returns>"the pool's lock was never released: ..." when held, "... free but its waiters were never woken ..." when a wake-up was lost, else its state.</returns>
    internal static string LockState(PoolLock gate) =>
        (gate.IsHeld ? "the pool's lock was never released: "
            : gate.Waiters > 0 && !gate.WaiterWoken ? "the pool's lock is free but its waiters were never woken (a lost wake-up): "
            : "the pool's lock is free: ") + gate.Describe();

    /// <summary>Joins <paramref name="thread"/> within the budget, or throws naming it.</summary>
    /// <param name="thread">The thread.</param>
    /// <param name="what">What the thread does, for the message.</param>
    /// <param name="diagnose">More words for the message (e.g. <see cref="LockOf"/>), or null.</param>
    /// <param name="budget">The budget, or null for <see cref="Budget"/>.</param>
    public static void Join(Thread thread, string what, Func<string>? diagnose = null, TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(thread);
        TimeSpan limit = budget ?? Budget;
        if (!thread.Join(limit))
            throw GaveUp(what, limit, diagnose);
    }

    /// <summary>Joins every thread within one shared budget, or throws naming the first still running.</summary>
    /// <param name="threads">The threads.</param>
    /// <param name="what">What they do.</param>
    /// <param name="diagnose">More words for the message, or null.</param>
    /// <param name="budget">The budget, or null for <see cref="Budget"/>.</param>
    public static void JoinAll(IEnumerable<Thread> threads, string what, Func<string>? diagnose = null, TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(threads);
        TimeSpan limit = budget ?? Budget;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int index = 0;
        foreach (Thread thread in threads)
        {
            TimeSpan left = limit - clock.Elapsed;
            if (!thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                throw GaveUp(string.Create(CultureInfo.InvariantCulture, $"{what} (thread {index} still running)"), limit, diagnose);
            index++;
        }
    }

    /// <summary>Waits for <paramref name="task"/> within the budget, or throws naming it; rethrows what the task threw.</summary>
    /// <param name="task">The task.</param>
    /// <param name="what">What it does.</param>
    /// <param name="diagnose">More words for the message, or null.</param>
    /// <param name="budget">The budget, or null for <see cref="Budget"/>.</param>
    public static void Wait(Task task, string what, Func<string>? diagnose = null, TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        TimeSpan limit = budget ?? Budget;
        if (!task.Wait(limit))
            throw GaveUp(what, limit, diagnose);
    }

    /// <summary>Waits for <paramref name="signal"/> within the budget, or throws naming it.</summary>
    /// <param name="signal">The event.</param>
    /// <param name="what">What sets it.</param>
    /// <param name="diagnose">More words for the message, or null.</param>
    /// <param name="budget">The budget, or null for <see cref="Budget"/>.</param>
    public static void Wait(ManualResetEventSlim signal, string what, Func<string>? diagnose = null, TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(signal);
        TimeSpan limit = budget ?? Budget;
        if (!signal.Wait(limit))
            throw GaveUp(what, limit, diagnose);
    }

    /// <summary>Signals <paramref name="barrier"/> and waits for the others within the budget, or throws naming it.</summary>
    /// <param name="barrier">The barrier.</param>
    /// <param name="what">What the participants meet for.</param>
    /// <param name="diagnose">More words for the message, or null.</param>
    /// <param name="budget">The budget, or null for <see cref="Budget"/>.</param>
    public static void SignalAndWait(Barrier barrier, string what, Func<string>? diagnose = null, TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        TimeSpan limit = budget ?? Budget;
        if (!barrier.SignalAndWait(limit))
            throw GaveUp(what, limit, diagnose);
    }

    private static TimeoutException GaveUp(string what, TimeSpan limit, Func<string>? diagnose) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{what} did not finish within {limit.TotalSeconds:0} s (a thread waits for something that never comes){(diagnose is null ? "" : ": " + diagnose())}"));
}
