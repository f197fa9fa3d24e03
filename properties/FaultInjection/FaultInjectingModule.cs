using System.Globalization;
using AreaMalloc.Areas;
using AreaMalloc.Pool;
using AreaMalloc.Properties.ModelBased.UnderTest;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.BeModule;

namespace AreaMalloc.Properties.FaultInjection;

/// <summary>
/// The real module over a <see cref="FaultInjectingBackend"/>, as an <see cref="IModuleUnderTest"/> for the
/// <see cref="ModelBased.SequenceDriver"/>. The model knows nothing of injected faults, so this adapter judges a
/// call during which the fault was injected itself, then disarms the backend and retries the call, so the
/// model sees an ordinary outcome and goes on checking every pool and block:
/// <list type="bullet">
/// <item>create_pool must return NULL, with no new area registered and no byte left mapped;</item>
/// <item>delete_pool must return B_ERROR, the pool must stay live, intact and usable (malloc/free round trip), and deletable later;</item>
/// <item>the last put_module must return B_ERROR, keep the module held and every pool it could not delete live; putting again retries.</item>
/// </list>
/// A wrong outcome throws <see cref="InjectedFaultException"/> (the driver reports it as the sequence's failure).
/// </summary>
public sealed unsafe class FaultInjectingModule : IModuleUnderTest
{
    private readonly AreaRegistry areas;
    private readonly ModuleLoader loader;
    private readonly HashSet<nint> pools = [];
    private AreaMallocModule? module;

    /// <summary>A module (not yet held) whose areas go through <paramref name="backend"/>.</summary>
    /// <param name="backend">The fault-injecting backend.</param>
    public FaultInjectingModule(FaultInjectingBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
        areas = new AreaRegistry(backend);
        loader = new ModuleLoader(areas);
    }

    /// <summary>The backend.</summary>
    public FaultInjectingBackend Backend { get; }

    /// <summary>The registry (its Count must match the live pools).</summary>
    public AreaRegistry Areas => areas;

    /// <summary>How the injected fault surfaced, once it did (for counters and reports).</summary>
    public string? Surfaced { get; private set; }

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
        bool wasInjected = Backend.Injected;
        int before = areas.Count;
        int users = loader.Users;
        int status = loader.PutModule(B_AREA_MALLOC_MODULE_NAME);
        if (!wasInjected && Backend.Injected)
        {
            // The last put ran into the fault while deleting the pools.
            Require(status == B_ERROR, $"put_module returned {status}; expected B_ERROR ({B_ERROR}) after {Backend.Plan}");
            Require(loader.Users == users, $"put_module failed but the users went from {users} to {loader.Users}");
            List<nint> kept = pools.Where(p => module?.FindPool((void*)p) is not null).ToList();
            Require(kept.Count > 0 && kept.Count == areas.Count, $"put_module failed with {kept.Count} pools still live but {areas.Count} areas registered");
            Require(areas.Count <= before, "put_module registered areas");
            foreach (nint p in kept)
            {
                StillUsable(p);
            }

            pools.IntersectWith(kept);
            Surfaced = "put_module -> B_ERROR, pools kept; put again -> B_OK";
            Backend.Armed = false;
            status = loader.PutModule(B_AREA_MALLOC_MODULE_NAME);
        }

        if (loader.Users == 0)
        {
            module = null;
            pools.Clear();
        }

        return status;
    }

    /// <inheritdoc />
    public nint CreatePool(uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        bool wasInjected = Backend.Injected;
        int before = areas.Count;
        ulong bytes = Backend.LiveBytes;
        nint id = (nint)Held.CreatePool(addressSpec, size, lockSpec, protection);
        if (!wasInjected && Backend.Injected)
        {
            Require(id == 0, $"create_pool returned a pool after {Backend.Plan} ({Backend.InjectedCall})");
            Require(areas.Count == before, $"create_pool failed but the registry went from {before} to {areas.Count} areas");
            Require(Backend.LiveBytes == bytes, $"create_pool failed after {Backend.InjectedCall} but left {Backend.LiveBytes - bytes} bytes mapped");
            Surfaced = "create_pool -> NULL (" + Backend.InjectedCall?.Split(' ')[0] + " refused); retried";
            Backend.Armed = false;
            id = (nint)Held.CreatePool(addressSpec, size, lockSpec, protection);
        }

        if (id != 0)
        {
            pools.Add(id);
        }

        return id;
    }

    /// <inheritdoc />
    public int DeletePool(nint pool)
    {
        bool wasInjected = Backend.Injected;
        int before = areas.Count;
        int status = Held.DeletePool((void*)pool);
        if (!wasInjected && Backend.Injected)
        {
            Require(status == B_ERROR, $"delete_pool returned {status}; expected B_ERROR after {Backend.Plan}");
            Require(areas.Count == before, $"delete_pool failed but the registry went from {before} to {areas.Count} areas");
            StillUsable(pool);
            Surfaced = "delete_pool -> B_ERROR, pool kept; delete again -> B_OK";
            Backend.Armed = false;
            status = Held.DeletePool((void*)pool);
        }

        if (status == B_OK)
        {
            pools.Remove(pool);
        }

        return status;
    }

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

    /// <summary>Puts the module away until nobody holds it (judging a fault there like any put_module).</summary>
    public void Dispose()
    {
        while (loader.Users > 0)
        {
            PutModule();
        }

        module = null;
    }

    /// <summary>The pool is still live, passes the integrity walk, and serves a malloc/free round trip.</summary>
    private void StillUsable(nint pool)
    {
        PoolAllocator found = module?.FindPool((void*)pool)
            ?? throw new InjectedFaultException($"pool 0x{pool:x} is gone after {Backend.Plan}");
        IntegrityReport report = found.CheckIntegrity();
        Require(report.IsValid, $"pool 0x{pool:x} fails its integrity walk after {Backend.Plan}: {report}");
        nint block = found.Malloc(1);
        Require(block != 0 || found.GetStatistics().LargestFreeBlock < 64, $"pool 0x{pool:x} refuses malloc(1) after {Backend.Plan}");
        if (block != 0)
        {
            Require(found.Free(block) == BlockCheck.Live, $"pool 0x{pool:x} refuses to free its own block after {Backend.Plan}");
        }
    }

    private static void Require(bool condition, FormattableString message)
    {
        if (!condition)
        {
            throw new InjectedFaultException(message.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InjectedFaultException(message);
        }
    }
}

/// <summary>An injected OS failure surfaced wrongly (or leaked).</summary>
public sealed class InjectedFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InjectedFaultException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public InjectedFaultException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="inner">The cause.</param>
    public InjectedFaultException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
