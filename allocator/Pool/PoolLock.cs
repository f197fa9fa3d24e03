using System.Runtime.CompilerServices;

namespace AreaMalloc.Pool;

/// <summary>
/// The pool's lock, built only from primitives Coyote controls: one atomic state word and a <see cref="SemaphoreSlim"/>
/// that the waiting threads block on. An uncontended enter and exit cost one atomic instruction each, about a quarter
/// of a Monitor's pair here (docs/PERFORMANCE-LOG.md, 2026-11-27).
/// <para>
/// The state word: bit 0 is set while a thread holds the lock; bit 1 is set while a waiter was woken and has not yet
/// run; the bits above count the waiters (threads that registered to block on the semaphore and have not taken the
/// lock since). Invariants: at most one permit is ever outstanding, because a holder releases one only when it
/// sets bit 1, and only the woken waiter clears bit 1; a waiter registers only while the lock is held, so the exit of
/// that holder (or of any later one) sees it and wakes a waiter unless one is already woken.
/// </para>
/// <para>
/// A thread that finds the lock free takes it even when waiters are registered (as a Monitor does): the woken waiter
/// then finds it held and waits again. Handing the lock to the waiter instead would make two threads that call in a
/// loop alternate through the kernel on every call. Before registering, a contended thread spins briefly.
/// </para>
/// Not reentrant: a thread that enters twice waits for itself. The pool never does (no locked section calls back into
/// a public operation).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "A SemaphoreSlim holds an OS handle only once its AvailableWaitHandle is asked for, which this lock never does; the lock lives as long as its pool")]
internal sealed class PoolLock
{
    private const int Locked = 1, Woken = 2, OneWaiter = 4;

    /// <summary>
    /// The AppContext switch that makes the lock record its holder's managed thread id, for the tests' diagnostics of a
    /// lock never released. Off (the default) it is a <c>static readonly</c> false the JIT folds away: no cost.
    /// </summary>
    internal const string TrackHolderSwitch = "AreaMalloc.PoolLock.TrackHolder";

    private static readonly bool TrackHolder = AppContext.TryGetSwitch(TrackHolderSwitch, out bool on) && on;

    /// <summary>The managed thread id of the holder while <see cref="TrackHolder"/> is on and the lock is held, else 0.</summary>
    private int _holder;

    /// <summary>Bit 0 held, bit 1 a waiter woken, the rest the waiter count times <see cref="OneWaiter"/>.</summary>
    private int _state;

    /// <summary>At most one permit: released by a leaving holder when it wakes a waiter.</summary>
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    /// <summary>Takes the lock, waiting as long as another thread holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _state, Locked, 0) != 0)
            EnterContended();
        // Stryker disable once all : diagnostics for tests only (docs/MUTATION.md#test-diagnostics)
        if (TrackHolder)
            Volatile.Write(ref _holder, Environment.CurrentManagedThreadId);
    }

    /// <summary>Gives the lock up, waking a registered waiter unless one is already woken. Call only while holding it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit()
    {
        // Stryker disable once all : diagnostics for tests only (docs/MUTATION.md#test-diagnostics)
        if (TrackHolder)
            Volatile.Write(ref _holder, 0);
        // Clears bit 0 (it is set: the caller holds the lock). Left: the woken bit and the waiter count.
        int left = Interlocked.Decrement(ref _state);
        // Stryker disable once Logical : WakeOne tests the same conditions again (docs/MUTATION.md#redundant-wake)
        if (left >= OneWaiter && (left & Woken) == 0)
            WakeOne();
    }

    /// <summary>Takes the lock for the scope of a <c>using</c>: <c>using (pool.Lock.Hold()) { ... }</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Held Hold()
    {
        Enter();
        return new Held(this);
    }

    /// <summary>True while some thread holds the lock (a snapshot, for tests and assertions).</summary>
    public bool IsHeld => (Volatile.Read(ref _state) & Locked) != 0;

    /// <summary>How many threads are registered to wait (a snapshot, for tests).</summary>
    internal int Waiters => Volatile.Read(ref _state) / OneWaiter;

    /// <summary>Whether a woken waiter has not yet run (bit 1; a snapshot, for tests).</summary>
    internal bool WaiterWoken => (Volatile.Read(ref _state) & Woken) != 0;

    /// <summary>
    /// The lock's state in words, for a test that gave up waiting: held or free, by which thread (when the switch
    /// <see cref="TrackHolderSwitch"/> is on), how many threads wait, whether one was woken, the permits outstanding.
    /// </summary>
    internal string Describe()
    {
        int holder = Volatile.Read(ref _holder);
        string by = !IsHeld ? "free" : holder != 0 ? $"held by managed thread {holder}" : "held (holder not tracked)";
        return $"{Waiters} waiters, {by}, a waiter woken: {(WaiterWoken ? "yes" : "no")}, permits outstanding: {PermitsOutstanding}";
    }

    /// <summary>How many wake permits are outstanding: at most one, by the invariant above (a snapshot, for tests).</summary>
    internal int PermitsOutstanding => _wake.CurrentCount;

    /// <summary>
    /// A lock whose state word is set as given, with no permit outstanding (internal: the tests reach states that only
    /// races produce, such as an exit that finds a waiter already woken by another thread's exit).
    /// </summary>
    internal static PoolLock InState(bool held, int waiters, bool woken)
    {
        var gate = new PoolLock();
        gate._state = waiters * OneWaiter | (woken ? Woken : 0) | (held ? Locked : 0);
        return gate;
    }

    /// <summary>The lock was taken: spin while it may come free, then register as a waiter and block until it is taken.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        if (SpinToTake())
            return;
        // Register, unless the lock came free meanwhile (then take it): a waiter registers only while the lock is held.
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & Locked) == 0)
            {
                if (TryTake(s))
                    return;
            }
            else if (Interlocked.CompareExchange(ref _state, s + OneWaiter, s) == s)
                break;
        }
        while (true)
        {
            _wake.Wait();
            // Woken (bit 1 is this thread's to clear): take the lock and deregister, or, when another thread took it
            // first, clear bit 1 and wait again, still registered.
            if (SpinToTakeWoken())
                return;
        }
    }

    /// <summary>Spins a few rounds, taking the lock when it is seen free; false when it stayed held.</summary>
    private bool SpinToTake()
    {
        SpinWait spin = default;
        // Stryker disable once Boolean : how many rounds the spin lasts is timing only (docs/MUTATION.md#spin-timing)
        while (!spin.NextSpinWillYield)
        {
            // Stryker disable once all : how long a round spins is timing only (docs/MUTATION.md#spin-timing)
            spin.SpinOnce(sleep1Threshold: -1);
            int s = Volatile.Read(ref _state);
            // Stryker disable once Bitwise : a spin that never takes the lock leaves it to the registration (docs/MUTATION.md#spin-timing)
            if ((s & Locked) == 0 && TryTake(s))
                return true;
        }
        return false;
    }

    /// <summary>Takes the lock if the state is still <paramref name="seen"/>, whose bit 0 is clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTake(int seen) => Interlocked.CompareExchange(ref _state, seen | Locked, seen) == seen;

    /// <summary>
    /// The woken waiter's turn: true when it took the lock (deregistered, bit 1 cleared in the same step); false when
    /// the lock stayed held while it spun (bit 1 cleared, still registered: a later exit wakes it again).
    /// </summary>
    private bool SpinToTakeWoken()
    {
        SpinWait spin = default;
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & Locked) == 0)
            {
                if (Interlocked.CompareExchange(ref _state, (s - OneWaiter - Woken) | Locked, s) == s)
                    return true;
            }
            else if (spin.NextSpinWillYield)
            {
                if (Interlocked.CompareExchange(ref _state, s - Woken, s) == s)
                    return false;
            }
            else
                // Stryker disable once all : how long a round spins is timing only (docs/MUTATION.md#spin-timing)
                spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>
    /// Wakes one registered waiter when the lock is free, waiters are registered and none is woken yet. Exit calls it
    /// after seeing that; it looks again, because between the two another thread may have taken the lock or exited and
    /// woken a waiter itself (internal: the tests call it in those states).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void WakeOne()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            // Held again: that holder's exit wakes a waiter. Woken already: a second permit would wake a second waiter,
            // and the two would clear bit 1 twice. No waiter: nothing to do.
            if (s < OneWaiter || (s & (Locked | Woken)) != 0)
                return;
            if (Interlocked.CompareExchange(ref _state, s | Woken, s) == s)
            {
                _wake.Release();
                // Stryker disable once Statement : the next round returns with the bit set (docs/MUTATION.md#redundant-wake)
                return;
            }
        }
    }

    /// <summary>The lock held until disposed.</summary>
    internal readonly ref struct Held
    {
        private readonly PoolLock _lock;

        internal Held(PoolLock held) => _lock = held;

        /// <summary>Gives the lock up.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose() => _lock.Exit();
    }
}
