using AreaMalloc.Hardening;

namespace AreaMalloc.Pool;

/// <summary>
/// How a pool behaves beyond what create_area's specs say, chosen once when it is made: the one settings record that
/// <see cref="PoolAllocator.Create"/>, the Be module (through its loader) and the idiomatic pool all take. The defaults
/// are the Be Book's pool: delete_pool unsafe against racing calls, metadata always checked, no per-thread caching.
/// </summary>
public sealed record PoolSettings
{
    /// <summary>The Be Book's pool: every setting at its default.</summary>
    public static PoolSettings Default { get; } = new();

    /// <summary>What delete_pool does to calls racing it (default <see cref="PoolBehavior.BeBook"/>).</summary>
    public PoolBehavior Behavior { get; init; } = PoolBehavior.BeBook;

    /// <summary>Optional hardening beyond the always-on checks (default <see cref="PoolHardening.None"/>).</summary>
    public PoolHardening Hardening { get; init; } = PoolHardening.None;

    /// <summary>Optional per-thread caching (default <see cref="PoolCaching.None"/>; ignored with <see cref="PoolHardening.PoisonFreedMemory"/>).</summary>
    public PoolCaching Caching { get; init; } = PoolCaching.None;

    /// <summary>
    /// Where each new pool takes its hardening keys, or null (the default) for <see cref="HeapKeys.ForNewPool()"/>'s
    /// fresh random keys. Internal and test-only: the model-based property gives each sequence a source seeded from its
    /// generated data, so that a replay gives every pool the keys the run gave it. A deterministic source is a known
    /// source of keys: never set it in production.
    /// </summary>
    internal Func<HeapKeys>? KeySource { get; init; }

    /// <summary>True when every value is one this version knows (the enums are open to any integer).</summary>
    internal bool IsValid =>
        Behavior is PoolBehavior.BeBook or PoolBehavior.SafeDeletion
        && (Hardening & ~PoolHardening.PoisonFreedMemory) == 0
        && (Caching & ~PoolCaching.ThreadMagazines) == 0;

    /// <summary>Whether pools made with these settings cache: magazines asked for, and no poison (whose fills and checks must run under the lock).</summary>
    internal bool CachesInMagazines =>
        (Caching & PoolCaching.ThreadMagazines) != 0 && (Hardening & PoolHardening.PoisonFreedMemory) == 0;
}
