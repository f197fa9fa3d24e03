using System.Runtime.CompilerServices;
using AreaMalloc.Format;
using AreaMalloc.Slabs;

namespace AreaMalloc.Caching;

/// <summary>
/// One thread's cache of freed slab objects of one pool: a stack of block offsets per size class.
/// Invariants: every offset held is an object start of an intact slab of its class whose live-map bit is set and whose
/// first 8 bytes hold the pool's cache mark; the slab counts it as in use (it is on no slab free list) and the pool's
/// header counts it in LiveBlocks and BytesInUse; no offset is held twice, in one magazine or in two.
/// <para>
/// Ownership is a three-state word. Idle: nobody is in it. Busy: one thread runs a lock-free fast path in it
/// (<see cref="TryEnter"/> to <see cref="Exit"/>): its owner, or, rarely, a thread whose stack window the pool's
/// <see cref="StackWindows"/> routes here (the compare-exchange excludes every other thread, so that is a cache shared
/// in turn, never at once). Stopped: a locked section of the pool holds it (<see cref="Stop"/> to <see cref="Resume"/>);
/// then the lock holder may read and change it, and a fast path fails to enter and takes the lock instead. When the
/// pool is deleted its magazines stay stopped for good.
/// </para>
/// </summary>
internal sealed class ThreadMagazine
{
    /// <summary>The most blocks a magazine holds for one class (the classes of 256 bytes and less).</summary>
    public const int MaxRounds = 64;

    /// <summary>About how many bytes a magazine holds per class: 16 KiB (so at most 64 blocks of 256 bytes, 16 of 1024).</summary>
    public const int BytesPerClass = 16 * 1024;

    /// <summary>The fewest blocks a magazine holds for one class, so that a refill or flush serves at least 8 calls.</summary>
    public const int MinRounds = 16;

    private const int Idle = 0, Busy = 1, Stopped = 2;

    /// <summary>Per class, how many blocks a magazine holds: <see cref="BytesPerClass"/> worth, <see cref="MinRounds"/> to <see cref="MaxRounds"/>.</summary>
    private static readonly byte[] s_capacity = BuildCapacities();

    /// <summary>Per class, how many blocks it holds (inline in the object: one load less than an array on the fast paths).</summary>
    private ClassCounts _counts;
    private int _state;

    /// <summary>The offsets held, <see cref="MaxRounds"/> slots per class; class c's blocks are slots [c * MaxRounds, c * MaxRounds + count).</summary>
    private Rounds _rounds;

    /// <summary>A magazine made Stopped: the locked section that makes it (and may bind it to a stack window) resumes it.</summary>
    public ThreadMagazine() => _state = Stopped;

    /// <summary>How many blocks a magazine holds at most for class <paramref name="sizeClass"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Capacity(int sizeClass) => s_capacity[sizeClass];

    /// <summary>How many blocks of class <paramref name="sizeClass"/> it holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Count(int sizeClass) => _counts[sizeClass];

    /// <summary>The owner enters for a fast path: false when the magazine is stopped (then take the lock).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter() => Interlocked.CompareExchange(ref _state, Busy, Idle) == Idle;

    /// <summary>The owner leaves its fast path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _state, Idle);

    /// <summary>
    /// A locked section takes the magazine: waits while its owner is in a fast path (a short stretch that takes no
    /// lock, so the wait ends), then holds it Stopped. Called with the pool's lock held, on a magazine that is not Stopped.
    /// </summary>
    public void Stop()
    {
        SpinWait spin = default;
        while (Interlocked.CompareExchange(ref _state, Stopped, Idle) != Idle)
        // Stryker disable once Block : an empty body waits on the CAS alone (docs/MUTATION.md#spin-timing)
        {
            Interleaving.At(InterleavingPoint.MagazineWait);
            // Stryker disable once Statement,Unary : the spin only paces the wait (docs/MUTATION.md#spin-timing)
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>The locked section gives the stopped magazine back to its owner.</summary>
    public void Resume() => Volatile.Write(ref _state, Idle);

    /// <summary>The newest block of the class, taken out, or 0 when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Pop(int sizeClass)
    {
        int count = _counts[sizeClass];
        if (count == 0)
            return 0;
        _counts[sizeClass] = count - 1;
        return _rounds[sizeClass * MaxRounds + count - 1];
    }

    /// <summary>Puts a block of the class on top. The caller made sure the class has room (<see cref="Count"/> below <see cref="Capacity"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(int sizeClass, ulong offset)
    {
        int count = _counts[sizeClass];
        _rounds[sizeClass * MaxRounds + count] = offset;
        _counts[sizeClass] = count + 1;
    }

    /// <summary>Whether the list of some class holds <paramref name="offset"/>.</summary>
    public bool Holds(ulong offset)
    {
        ReadOnlySpan<ulong> rounds = _rounds;
        for (int c = 0; c < SizeClasses.Count; c++)
            if (rounds.Slice(c * MaxRounds, _counts[c]).Contains(offset))
                return true;
        return false;
    }

    /// <summary>The i-th oldest block of the class (i below <see cref="Count"/>).</summary>
    public ulong Oldest(int sizeClass, int i) => _rounds[sizeClass * MaxRounds + i];

    /// <summary>Drops the <paramref name="n"/> oldest blocks of the class (they were given back to their slabs).</summary>
    public void RemoveOldest(int sizeClass, int n)
    {
        int start = sizeClass * MaxRounds;
        int left = _counts[sizeClass] - n;
        Span<ulong> rounds = _rounds;
        rounds.Slice(start + n, left).CopyTo(rounds.Slice(start, left));
        _counts[sizeClass] = left;
    }

    [InlineArray(SizeClasses.Count)]
    private struct ClassCounts
    {
        private int _first;
    }

    [InlineArray(SizeClasses.Count * MaxRounds)]
    private struct Rounds
    {
        private ulong _first;
    }

    private static byte[] BuildCapacities()
    {
        var capacity = new byte[SizeClasses.Count];
        for (int c = 0; c < capacity.Length; c++)
            capacity[c] = (byte)Math.Clamp(BytesPerClass / SizeClasses.SizeOf(c), MinRounds, MaxRounds);
        return capacity;
    }
}
