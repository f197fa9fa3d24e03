using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// The real module with every live pool wrapped in a faulty decorator: calls naming a live pool go to its
/// decorator (one per pool, kept while the pool lives, since faults keep state); everything else (module
/// calls, ids that name no live pool) goes to the real module unchanged.
/// </summary>
/// <param name="inner">The correct module.</param>
/// <param name="decorate">Wraps a new pool in the fault.</param>
public sealed class FaultyModule(IModuleUnderTest inner, Func<IPoolUnderTest, IPoolUnderTest> decorate) : IModuleUnderTest
{
    private readonly Dictionary<nint, IPoolUnderTest> pools = [];

    /// <inheritdoc />
    public int MappedAreas => inner.MappedAreas;

    /// <inheritdoc />
    public int GetModule(string name) => inner.GetModule(name);

    /// <inheritdoc />
    public int PutModule()
    {
        int status = inner.PutModule();
        foreach (nint gone in pools.Keys.Where(id => inner.Pool(id) is null).ToList())
        {
            pools.Remove(gone);
        }

        return status;
    }

    /// <inheritdoc />
    public nint CreatePool(uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        nint id = inner.CreatePool(addressSpec, size, lockSpec, protection);
        if (id != 0 && inner.Pool(id) is IPoolUnderTest created)
        {
            pools[id] = decorate(created);
        }

        return id;
    }

    /// <inheritdoc />
    public int DeletePool(nint pool)
    {
        pools.Remove(pool);
        return inner.DeletePool(pool);
    }

    /// <inheritdoc />
    public nint Malloc(nint pool, nuint size) => Pool(pool) is { } p ? p.Malloc(size) : inner.Malloc(pool, size);

    /// <inheritdoc />
    public nint Calloc(nint pool, nuint count, nuint size) => Pool(pool) is { } p ? p.Calloc(count, size) : inner.Calloc(pool, count, size);

    /// <inheritdoc />
    public nint Realloc(nint pool, nint block, nuint size) => Pool(pool) is { } p ? p.Realloc(block, size) : inner.Realloc(pool, block, size);

    /// <inheritdoc />
    public void Free(nint pool, nint block)
    {
        if (Pool(pool) is { } p)
        {
            p.Free(block);
        }
        else
        {
            inner.Free(pool, block);
        }
    }

    /// <inheritdoc />
    public IPoolUnderTest? Pool(nint pool) => inner.Pool(pool) is null ? null : pools.GetValueOrDefault(pool);

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}

/// <summary>A factory of real modules whose pools carry one injected fault.</summary>
/// <param name="name">The fault, for reports.</param>
/// <param name="decorate">Wraps a new pool in the fault.</param>
public sealed class FaultyFactory(string name, Func<IPoolUnderTest, IPoolUnderTest> decorate) : IPoolFactory
{
    /// <inheritdoc />
    public string Name => "a faulty allocator (" + name + ")";

    /// <inheritdoc />
    public IModuleUnderTest Start(ulong keySeed) => new FaultyModule(new RealModule(keySeed: keySeed), decorate);
}
