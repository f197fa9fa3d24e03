using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.BeModule;

/// <summary>
/// get_module/put_module for the area_malloc module, with reference counting as drivers use it: each
/// successful <see cref="GetModule"/> must be matched by one <see cref="PutModule"/>; when the last user puts
/// the module away, every remaining pool is deleted. Thread-safe.
/// </summary>
public sealed class ModuleLoader
{
    private readonly object _gate = new();
    private readonly AreaRegistry _areas;
    private readonly PoolSettings _poolSettings;
    private AreaMallocModule? _module;
    private int _users;

    /// <summary>
    /// A loader whose module takes its areas from <paramref name="areas"/> and gives every pool create_pool makes
    /// <paramref name="poolSettings"/> (default <see cref="PoolSettings.Default"/>: pools as the Be Book says);
    /// create_pool keeps its Be signature.
    /// </summary>
    public ModuleLoader(AreaRegistry areas, PoolSettings? poolSettings = null)
    {
        ArgumentNullException.ThrowIfNull(areas);
        _areas = areas;
        _poolSettings = poolSettings ?? PoolSettings.Default;
    }

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
            _module ??= new AreaMallocModule(_areas, _poolSettings);
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
