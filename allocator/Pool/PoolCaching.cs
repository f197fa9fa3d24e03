namespace AreaMalloc.Pool;

/// <summary>
/// Optional per-thread caching of a pool, chosen once when it is created. Beyond the Be Book; it changes no result
/// a single thread can observe, only which thread's cache a freed small block waits in.
/// </summary>
[Flags]
public enum PoolCaching
{
    /// <summary>The default: every call takes the pool's lock.</summary>
    None = 0,

    /// <summary>
    /// Each thread keeps a small magazine of freed slab objects per size class (Bonwick's magazines), so that most
    /// small malloc/free calls take no lock: they pop or push the calling thread's magazine, and a free writes the
    /// pool's cache mark over the block's first 8 bytes with one compare-exchange (a cached block stays live in the
    /// live map, so these calls write no metadata that other threads' blocks share). free still refuses a pointer
    /// that is not a live block, or is cached (the compare-exchange makes a double free exact, even from two threads
    /// at once; a live block whose bytes equal the mark by chance is told apart under the lock). The lock is taken to
    /// refill an empty magazine or flush half of a full one, and by every other operation; a locked section first stops every
    /// thread's magazine, so locked code never runs beside a lock-free one. Statistics, the integrity walker, Trim and
    /// a failing allocation first return every cached block to its slab, so they see exactly what an uncached pool
    /// would hold. Ignored (every call takes the lock) on pools with <see cref="PoolHardening.PoisonFreedMemory"/>,
    /// whose frees must fill and whose reuse must check the poison under the lock.
    /// </summary>
    ThreadMagazines = 1,
}
