using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace AreaMalloc.Bench.Workloads;

/// <summary>
/// What the machine charges for the primitives the pool's paths are built from, measured in the same run as the
/// workloads, so that a ratio can be read against the hardware that produced it: an uncontended locked
/// compare-exchange (a caching pool's malloc/free pair makes three: the magazine's enter on each call and the cache
/// mark's claim on free; the locked pool's lock makes two per call), the plain store it would replace, a
/// <c>[ThreadStatic]</c> read, and a process-wide memory barrier (the asymmetric fence a lock-free fast path could
/// pair with, paid by the other side). Each benchmark runs <see cref="Ops"/> operations per invocation on a field of
/// its own, one thread, nothing contended.
/// </summary>
public class M0_Primitives
{
    /// <summary>Operations per invocation (the per-operation figure is the invocation's time divided by this).</summary>
    public const int Ops = 1024;

    [ThreadStatic] private static object? t_slot;
    private static object? s_slot;

    private int _word;
    private readonly object _slotValue = new();

    /// <summary>Sets this thread's <c>[ThreadStatic]</c> slot and the static one, so that the read benchmarks read set fields.</summary>
    [GlobalSetup(Targets = [nameof(ThreadStaticRead), nameof(StaticRead)])]
    public void SetSlots() => t_slot = s_slot = _slotValue;

    /// <summary>A compare-exchange that succeeds, then a plain store back: a magazine's enter and exit.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public int LockedCompareExchange()
    {
        int won = 0;
        for (int i = 0; i < Ops; i++)
        {
            won += Interlocked.CompareExchange(ref _word, 1, 0);
            Volatile.Write(ref _word, 0);
        }
        return won;
    }

    /// <summary>Two plain (volatile) stores: the enter and exit a thread-owned magazine would make instead.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public int PlainStores()
    {
        for (int i = 0; i < Ops; i++)
        {
            Volatile.Write(ref _word, 1);
            Volatile.Write(ref _word, 0);
        }
        return Volatile.Read(ref _word);
    }

    /// <summary>
    /// A read of a <c>[ThreadStatic]</c> reference, as a thread would find a magazine it owns: through a call that is
    /// not inlined (so that the JIT cannot hoist the read out of the loop), so the figure includes a call.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public int ThreadStaticRead()
    {
        int found = 0;
        for (int i = 0; i < Ops; i++)
            found += ReferenceEquals(ReadSlot(), _slotValue) ? 1 : 0;
        return found;
    }

    /// <summary>The same through a call to a plain static field: the baseline that <see cref="ThreadStaticRead"/> exceeds by the thread-local lookup.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public int StaticRead()
    {
        int found = 0;
        for (int i = 0; i < Ops; i++)
            found += ReferenceEquals(ReadStatic(), _slotValue) ? 1 : 0;
        return found;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object? ReadSlot() => t_slot;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object? ReadStatic() => s_slot;

    /// <summary><see cref="Interlocked.MemoryBarrierProcessWide"/>: a barrier on every core that runs a thread of the process.</summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public void ProcessWideBarrier()
    {
        for (int i = 0; i < 16; i++)
            Interlocked.MemoryBarrierProcessWide();
    }
}
