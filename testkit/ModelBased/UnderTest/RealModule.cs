using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;

namespace AreaMalloc.TestKit.ModelBased.UnderTest;

/// <summary>
/// The real allocator through its Be surface: a private <see cref="AreaRegistry"/> over the Linux backend, a
/// <see cref="ModuleLoader"/>, and the <see cref="AreaMallocModule"/> of the latest successful get_module.
/// Every call goes through the module's own entry points (so handle validation is exercised).
/// </summary>
public sealed unsafe class RealModule : IModuleUnderTest
{
    private readonly AreaRegistry areas = new(new LinuxAreaBackend());
    private readonly ModuleLoader loader;
    private AreaMallocModule? module;

    /// <summary>A module not yet held, whose pools have <paramref name="hardening"/> (none by default, as create_pool gives).</summary>
    /// <param name="hardening">The optional hardening of every pool.</param>
    /// <param name="caching">The optional caching of every pool.</param>
    /// <param name="keySeed">
    /// Null for fresh random keys in every pool (as create_pool gives); else the n-th pool created gets the n-th keys of
    /// the <see cref="PoolKeyStream"/> started at this seed, so the same calls give the same bytes in every pool.
    /// </param>
    public RealModule(PoolHardening hardening = PoolHardening.None, PoolCaching caching = PoolCaching.None, ulong? keySeed = null) =>
        loader = new ModuleLoader(areas, new PoolSettings
        {
            Hardening = hardening,
            Caching = caching,
            KeySource = keySeed is ulong seed ? new PoolKeyStream(seed).Next : null,
        });

    /// <inheritdoc />
    public int MappedAreas => areas.Count;

    private AreaMallocModule Held => module ?? throw new InvalidOperationException("the module is not held: get_module first");

    /// <inheritdoc />
    public int GetModule(string name)
    {
        int status = loader.GetModule(name, out AreaMallocModule? got);
        if (status == B_OK)
        {
            module = got;
        }

        return status;
    }

    /// <inheritdoc />
    public int PutModule()
    {
        int status = loader.PutModule(B_AREA_MALLOC_MODULE_NAME);
        if (loader.Users == 0)
        {
            module = null;
        }

        return status;
    }

    /// <inheritdoc />
    public nint CreatePool(uint addressSpec, nuint size, uint lockSpec, uint protection) =>
        (nint)Held.CreatePool(addressSpec, size, lockSpec, protection);

    /// <inheritdoc />
    public int DeletePool(nint pool) => Held.DeletePool((void*)pool);

    /// <inheritdoc />
    public nint Malloc(nint pool, nuint size) => (nint)Held.Malloc((void*)pool, size);

    /// <inheritdoc />
    public nint Calloc(nint pool, nuint count, nuint size) => (nint)Held.Calloc((void*)pool, count, size);

    /// <inheritdoc />
    public nint Realloc(nint pool, nint block, nuint size) => (nint)Held.Realloc((void*)pool, (void*)block, size);

    /// <inheritdoc />
    public void Free(nint pool, nint block) => Held.Free((void*)pool, (void*)block);

    /// <inheritdoc />
    public IPoolUnderTest? Pool(nint pool) =>
        module?.FindPool((void*)pool) is PoolAllocator found ? new RealPool(module, pool, found) : null;

    /// <summary>Puts the module away until nobody holds it, which deletes every remaining pool.</summary>
    public void Dispose()
    {
        while (loader.Users > 0)
        {
            loader.PutModule(B_AREA_MALLOC_MODULE_NAME);
        }

        module = null;
    }
}

/// <summary>One live pool of a <see cref="RealModule"/>: allocation calls through the module, inspection through the pool.</summary>
public sealed unsafe class RealPool : IPoolUnderTest
{
    private readonly AreaMallocModule module;
    private readonly nint id;
    private readonly PoolAllocator pool;

    internal RealPool(AreaMallocModule module, nint id, PoolAllocator pool)
    {
        this.module = module;
        this.id = id;
        this.pool = pool;
    }

    /// <summary>The pool itself (for a view through a clone of its area).</summary>
    internal PoolAllocator Allocator => pool;

    /// <inheritdoc />
    public nint Base => pool.Base;

    /// <inheritdoc />
    public ulong AreaSize => pool.Layout.AreaSize;

    /// <inheritdoc />
    public ulong MaxSingleRequest => pool.MaxSingleRequest;

    /// <inheritdoc />
    public nint Malloc(nuint size) => (nint)module.Malloc((void*)id, size);

    /// <inheritdoc />
    public nint Calloc(nuint count, nuint size) => (nint)module.Calloc((void*)id, count, size);

    /// <inheritdoc />
    public nint Realloc(nint block, nuint size) => (nint)module.Realloc((void*)id, (void*)block, size);

    /// <inheritdoc />
    public void Free(nint block) => module.Free((void*)id, (void*)block);

    /// <inheritdoc />
    public ulong? UsableSize(nint block) => pool.Check(block, out ulong usable) == BlockCheck.Live ? usable : null;

    /// <inheritdoc />
    public PoolStatistics Statistics() => pool.GetStatistics();

    /// <inheritdoc />
    public IntegrityReport CheckIntegrity() => pool.CheckIntegrity();

    /// <inheritdoc />
    public void Trim() => pool.Trim();
}

/// <summary>The real allocator, a fresh <see cref="RealModule"/> per sequence.</summary>
/// <param name="hardening">The optional hardening of every pool (none by default).</param>
/// <param name="caching">The optional caching of every pool (none by default).</param>
public sealed class RealPoolFactory(PoolHardening hardening = PoolHardening.None, PoolCaching caching = PoolCaching.None) : IPoolFactory
{
    /// <inheritdoc />
    public string Name => (hardening, caching) switch
    {
        (PoolHardening.None, PoolCaching.None) => "the real allocator",
        (_, PoolCaching.None) => $"the real allocator with {hardening}",
        (PoolHardening.None, _) => $"the real allocator with {caching}",
        _ => $"the real allocator with {hardening} and {caching}",
    };

    /// <inheritdoc />
    public IModuleUnderTest Start(ulong keySeed) => new RealModule(hardening, caching, keySeed);
}
