namespace AreaMalloc.TestKit.ModelBased.UnderTest;

/// <summary>
/// The area_malloc module as the model-based property drives it: get/put, create/delete, and the four
/// allocation calls naming their pool by its opaque id, exactly as a Be driver calls them (so ids of
/// deleted pools and garbage ids reach the implementation). <see cref="Pool"/> opens a live pool for
/// inspection. One instance serves one test sequence and owns every area it maps.
/// </summary>
public interface IModuleUnderTest : IDisposable
{
    /// <summary>get_module.</summary>
    /// <param name="name">Module name.</param>
    /// <returns>Status.</returns>
    int GetModule(string name);

    /// <summary>put_module of the area_malloc module.</summary>
    /// <returns>Status.</returns>
    int PutModule();

    /// <summary>create_pool.</summary>
    /// <param name="addressSpec">Address spec.</param>
    /// <param name="size">Area size.</param>
    /// <param name="lockSpec">Lock spec.</param>
    /// <param name="protection">Protection.</param>
    /// <returns>The pool id, or 0.</returns>
    nint CreatePool(uint addressSpec, nuint size, uint lockSpec, uint protection);

    /// <summary>delete_pool.</summary>
    /// <param name="pool">Pool id.</param>
    /// <returns>Status.</returns>
    int DeletePool(nint pool);

    /// <summary>malloc.</summary>
    /// <param name="pool">Pool id.</param>
    /// <param name="size">Bytes.</param>
    /// <returns>Block or 0.</returns>
    nint Malloc(nint pool, nuint size);

    /// <summary>calloc.</summary>
    /// <param name="pool">Pool id.</param>
    /// <param name="count">Members.</param>
    /// <param name="size">Bytes per member.</param>
    /// <returns>Block or 0.</returns>
    nint Calloc(nint pool, nuint count, nuint size);

    /// <summary>realloc.</summary>
    /// <param name="pool">Pool id.</param>
    /// <param name="block">Block or 0.</param>
    /// <param name="size">New size.</param>
    /// <returns>Block or 0.</returns>
    nint Realloc(nint pool, nint block, nuint size);

    /// <summary>free.</summary>
    /// <param name="pool">Pool id.</param>
    /// <param name="block">Block or 0.</param>
    void Free(nint pool, nint block);

    /// <summary>The live pool <paramref name="pool"/> names, for inspection, or null.</summary>
    /// <param name="pool">Pool id.</param>
    /// <returns>The pool or null.</returns>
    IPoolUnderTest? Pool(nint pool);

    /// <summary>Areas still mapped by this instance (0 once every pool is gone).</summary>
    int MappedAreas { get; }
}

/// <summary>Makes a fresh <see cref="IModuleUnderTest"/> (own area registry, module not held) per test sequence.</summary>
public interface IPoolFactory
{
    /// <summary>Short name for reports, e.g. <c>real allocator</c>.</summary>
    string Name { get; }

    /// <summary>
    /// A fresh module; the caller disposes it. Its pools take their hardening keys, in order of creation, from the
    /// <see cref="PoolKeyStream"/> started at <paramref name="keySeed"/>: the same seed and the same commands give the
    /// same bytes in every pool, which makes a sequence's outcome a function of the sequence and its seed.
    /// </summary>
    /// <param name="keySeed">The seed of the pools' keys (generated with the sequence; the model-based property's <c>Replay(factory, keySeed, commands)</c> replays a counterexample with it).</param>
    /// <returns>The module.</returns>
    IModuleUnderTest Start(ulong keySeed);
}
