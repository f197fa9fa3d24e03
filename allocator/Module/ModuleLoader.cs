using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc;

/// <summary>
/// get_module/put_module for the area_malloc module, with reference counting as drivers use it: each
/// successful <see cref="GetModule"/> must be matched by one <see cref="PutModule"/>; when the last user puts
/// the module away, every remaining pool is deleted. Thread-safe.
/// </summary>
public sealed class ModuleLoader
{
    private readonly object _gate = new();
    private readonly AreaRegistry _areas;
    private readonly PoolBehavior _poolBehavior;
    private readonly PoolHardening _poolHardening;
    private readonly PoolCaching _poolCaching;
    private AreaMallocModule? _module;
    private int _users;

    /// <summary>A loader whose module takes its areas from <paramref name="areas"/> and makes pools as the Be Book says.</summary>
    public ModuleLoader(AreaRegistry areas)
        : this(areas, PoolBehavior.BeBook)
    {
    }

    /// <summary>
    /// A loader whose module takes its areas from <paramref name="areas"/> and gives every pool it creates
    /// <paramref name="poolBehavior"/> (for example <see cref="PoolBehavior.SafeDeletion"/>).
    /// </summary>
    public ModuleLoader(AreaRegistry areas, PoolBehavior poolBehavior)
        : this(areas, poolBehavior, PoolHardening.None)
    {
    }

    /// <summary>
    /// A loader whose module takes its areas from <paramref name="areas"/> and gives every pool it creates
    /// <paramref name="poolBehavior"/> and the optional <paramref name="poolHardening"/> (for example
    /// <see cref="PoolHardening.PoisonFreedMemory"/>); create_pool keeps its Be signature.
    /// </summary>
    public ModuleLoader(AreaRegistry areas, PoolBehavior poolBehavior, PoolHardening poolHardening)
        : this(areas, poolBehavior, poolHardening, PoolCaching.None)
    {
    }

    /// <summary>
    /// A loader whose module gives every pool it creates <paramref name="poolBehavior"/>, <paramref name="poolHardening"/>
    /// and the optional <paramref name="poolCaching"/> (for example <see cref="PoolCaching.ThreadMagazines"/>).
    /// </summary>
    public ModuleLoader(AreaRegistry areas, PoolBehavior poolBehavior, PoolHardening poolHardening, PoolCaching poolCaching)
    {
        ArgumentNullException.ThrowIfNull(areas);
        _areas = areas;
        _poolBehavior = poolBehavior;
        _poolHardening = poolHardening;
        _poolCaching = poolCaching;
    }

    /// <summary>
    /// Where the modules this loader makes take each new pool's hardening keys, or null (the default) for fresh random
    /// keys (<see cref="Hardening.HeapKeys.ForNewPool()"/>). Internal and test-only: the model-based property gives each
    /// sequence a source seeded from its generated data, so that a replay gives every pool the keys the run gave it.
    /// A deterministic source is a known source of keys: never set it in production.
    /// </summary>
    internal Func<Hardening.HeapKeys>? PoolKeys { get; init; }

    /// <summary>The process-wide loader, over <see cref="AreaRegistry.Shared"/>.</summary>
    public static ModuleLoader Shared { get; } = new(AreaRegistry.Shared);

    /// <summary>Users holding the module now.</summary>
    public int Users
    {
        get { lock (_gate) return _users; }
    }

    /// <summary>get_module: B_OK and the module for <see cref="B_AREA_MALLOC_MODULE_NAME"/>; B_ENTRY_NOT_FOUND for any other name.</summary>
    public int GetModule(string name, out AreaMallocModule? module)
    {
        lock (_gate)
        {
            if (name != B_AREA_MALLOC_MODULE_NAME)
            {
                module = null;
                return B_ENTRY_NOT_FOUND;
            }
            _module ??= new AreaMallocModule(_areas, _poolBehavior, _poolHardening, _poolCaching) { PoolKeys = PoolKeys };
            _users++;
            module = _module;
            return B_OK;
        }
    }

    /// <summary>put_module: B_OK; the last put deletes every remaining pool. B_BAD_VALUE when the name is unknown or the module is not held;
    /// B_ERROR when the last put could not delete a pool because the OS refused to unmap its area (the module stays held, the pool live).</summary>
    public int PutModule(string name)
    {
        lock (_gate)
        {
            if (name != B_AREA_MALLOC_MODULE_NAME || _users == 0)
                return B_BAD_VALUE;
            // The OS refused to unmap a pool's area: the caller still holds the module and the pools that were not
            // deleted stay live, so nothing is stranded; putting again retries.
            if (_users == 1 && _module!.DeleteAllPools() != 0)
                return B_ERROR;
            if (--_users == 0)
                _module = null;
            return B_OK;
        }
    }
}
