using AreaMalloc.Format;

namespace AreaMalloc.Hardening;

/// <summary>
/// A pool's hardening state, held in managed memory where no overflow of the pool's heap can reach it: the keys, whether
/// freed memory is poisoned, the heap's bounds (for validating decoded links), and the damage met so far.
/// The slab and large-block heaps report to it each time a check fails; the pool refuses every allocation once
/// <see cref="Damaged"/> is set. Touched only under the pool's lock.
/// </summary>
internal sealed class HeapGuard
{
    /// <summary>The pool's secrets.</summary>
    public readonly HeapKeys Keys;

    /// <summary>True when freed memory is poisoned and checked on reuse (the pool hardening <c>PoisonFreedMemory</c>).</summary>
    public readonly bool Poison;

    /// <summary>The first block header's offset and the sentinel's (the authoritative copy of the layout's heap bounds).</summary>
    public readonly ulong HeapStart, HeapEnd;

    /// <summary>True once any damage was met: the pool then refuses allocations.</summary>
    public bool Damaged;

    public HeapGuard(HeapKeys keys, bool poison, ulong heapStart, ulong heapEnd)
    {
        Keys = keys;
        Poison = poison;
        HeapStart = heapStart;
        HeapEnd = heapEnd;
    }

    /// <summary>The first damage met, or null.</summary>
    public PoolDamage? FirstDamage { get; private set; }

    /// <summary>Times metadata damage (check words, links, slab headers) was met.</summary>
    public long Corruptions { get; private set; }

    /// <summary>Times a use-after-free write was met.</summary>
    public long UseAfterFreeWrites { get; private set; }

    /// <summary>Records damage met at <paramref name="offset"/>; the first is kept.</summary>
    public void Report(DamageKind kind, ulong offset, string description)
    {
        if (kind == DamageKind.UseAfterFreeWrite)
            UseAfterFreeWrites++;
        else
            Corruptions++;
        FirstDamage ??= new PoolDamage(kind, offset, description);
        Damaged = true;
    }
}
