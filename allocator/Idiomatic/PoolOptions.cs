using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc;

/// <summary>How an <see cref="AreaPool"/>'s area is made: create_pool's specs, and the registry to make it in.</summary>
public sealed record PoolOptions
{
    /// <summary>The address spec (default B_ANY_ADDRESS). B_EXACT_ADDRESS and B_CLONE_ADDRESS are refused: a pool has no address argument.</summary>
    public uint AddressSpec { get; init; } = B_ANY_ADDRESS;

    /// <summary>The lock spec (default B_NO_LOCK).</summary>
    public uint LockSpec { get; init; } = B_NO_LOCK;

    /// <summary>The protection (default B_READ_AREA | B_WRITE_AREA); it must allow writing.</summary>
    public uint Protection { get; init; } = B_READ_AREA | B_WRITE_AREA;

    /// <summary>The registry that makes the area (default <see cref="AreaRegistry.Shared"/>, over Linux).</summary>
    public AreaRegistry? Areas { get; init; }

    /// <summary>
    /// Beyond the Be Book (default false): <see cref="AreaPool.Dispose"/> may race other calls on the pool. It
    /// waits for the call in flight, and every later call throws <see cref="ObjectDisposedException"/> without
    /// touching the pool's memory (<see cref="Pool.PoolBehavior.SafeDeletion"/>).
    /// </summary>
    public bool SafeDeletion { get; init; }

    /// <summary>
    /// Beyond the Be Book (default false): freed memory is filled with a poison byte and checked when it is handed out
    /// again (<see cref="Pool.PoolHardening.PoisonFreedMemory"/>). A write through a dangling pointer is then found:
    /// the allocation that meets it throws <see cref="PoolCorruptedException"/> naming the byte, and the pool refuses
    /// every later allocation. Costs a fill per free and a check per reuse.
    /// </summary>
    public bool PoisonFreedMemory { get; init; }

    /// <summary>
    /// Beyond the Be Book (default false): each thread caches freed small blocks (up to 1024 bytes) in magazines, so
    /// that most small Malloc/Free calls take no lock (<see cref="Pool.PoolCaching.ThreadMagazines"/>). Results are
    /// the same; a freed block may wait in its thread's magazine until that thread reuses it, or until statistics, the
    /// integrity walker, Trim or an allocation that finds no room give every cached block back. Ignored with
    /// <see cref="PoisonFreedMemory"/>.
    /// </summary>
    public bool ThreadMagazines { get; init; }
}
