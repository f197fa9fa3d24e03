namespace AreaMalloc.Certify.Laws;

/// <summary>The pool configurations a law can be checked in.</summary>
internal enum PoolConfiguration
{
    /// <summary>The Be Book's pool: no poison, no caching, the unsafe delete_pool (check words and encoded links are always on).</summary>
    Plain,

    /// <summary>Hardened: freed memory poisoned and checked before it is handed out again (<c>PoolHardening.PoisonFreedMemory</c>).</summary>
    Poison,

    /// <summary>Caching: freed small blocks wait in per-thread magazines (<c>PoolCaching.ThreadMagazines</c>).</summary>
    Caching,

    /// <summary>Safe deletion: a deleted pool refuses later calls instead of touching its area (<c>PoolBehavior.SafeDeletion</c>).</summary>
    SafeDeletion,
}

/// <summary>How configurations are named in the certificate.</summary>
internal static class PoolConfigurations
{
    /// <summary>Every configuration, in the order the certificate lists them.</summary>
    public static IReadOnlyList<PoolConfiguration> All { get; } = Enum.GetValues<PoolConfiguration>();

    /// <summary>The name a reader sees: plain, hardened (poison), caching (magazines), safe deletion.</summary>
    public static string Title(this PoolConfiguration configuration) => configuration switch
    {
        PoolConfiguration.Plain => "plain",
        PoolConfiguration.Poison => "hardened (poison)",
        PoolConfiguration.Caching => "caching (magazines)",
        PoolConfiguration.SafeDeletion => "safe deletion",
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, null),
    };

    /// <summary>The identifier report.json uses: plain, poison, caching, safeDeletion.</summary>
    public static string Id(this PoolConfiguration configuration) => configuration switch
    {
        PoolConfiguration.Plain => "plain",
        PoolConfiguration.Poison => "poison",
        PoolConfiguration.Caching => "caching",
        PoolConfiguration.SafeDeletion => "safeDeletion",
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, null),
    };
}
