using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Idiomatic;

/// <summary>How an <see cref="AreaPool"/>'s area is made: create_pool's specs, and the registry to make it in.</summary>
public sealed record PoolOptions
{
    /// <summary>The address spec (default B_ANY_ADDRESS). B_EXACT_ADDRESS and B_CLONE_ADDRESS are refused: a pool has no address argument.</summary>
    public uint AddressSpec { get; init; } = B_ANY_ADDRESS;

    /// <summary>The lock spec (default B_NO_LOCK).</summary>
    public uint LockSpec { get; init; } = B_NO_LOCK;

    /// <summary>
    /// The protection (default B_READ_AREA | B_WRITE_AREA); it must allow writing. With B_CLONEABLE_AREA the pool's area is
    /// shared memory: <see cref="AreaPool.OpenView"/> maps it again, and <see cref="AreaPool.Export"/> lets another process clone it.
    /// </summary>
    public uint Protection { get; init; } = B_READ_AREA | B_WRITE_AREA;

    /// <summary>The registry that makes the area (default <see cref="AreaRegistry.Shared"/>, over Linux).</summary>
    public AreaRegistry? Areas { get; init; }

    /// <summary>
    /// Beyond the Be Book: behaviour, hardening and caching (default <see cref="PoolSettings.Default"/>, the Be Book's
    /// pool). <see cref="PoolBehavior.SafeDeletion"/>: <see cref="AreaPool.Dispose"/> may race other calls, which then
    /// throw <see cref="ObjectDisposedException"/>. <see cref="PoolHardening.PoisonFreedMemory"/>: a write through a
    /// dangling pointer is found, and the allocation that meets it throws <see cref="PoolCorruptedException"/>.
    /// <see cref="PoolCaching.ThreadMagazines"/>: most small Allocate/Free calls take no lock.
    /// </summary>
    public PoolSettings Settings { get; init; } = PoolSettings.Default;
}
