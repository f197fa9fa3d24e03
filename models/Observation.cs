namespace AreaMalloc.Models;

/// <summary>
/// What the real allocator did for one call. Use the factory that fits the call.
/// </summary>
/// <param name="Address">Returned pointer or pool id; 0 is NULL.</param>
/// <param name="Status">Returned status code (delete_pool, get_module, put_module).</param>
/// <param name="Usable">Usable size of a returned block, as the allocator reports it.</param>
/// <param name="Geometry">For a non-NULL create_pool: the new pool's area and capacity.</param>
public readonly record struct Observation(ulong Address, int Status, ulong Usable, PoolGeometry? Geometry)
{
    /// <summary>NULL returned (any allocating call, or a failed create_pool); also the observation of <c>free</c>.</summary>
    public static Observation Null => default;

    /// <summary>A block was returned.</summary>
    /// <param name="address">The pointer.</param>
    /// <param name="usable">Its usable size as the allocator reports it.</param>
    /// <returns>The observation.</returns>
    public static Observation Block(ulong address, ulong usable) => new(address, 0, usable, null);

    /// <summary>A pool was created.</summary>
    /// <param name="handle">The opaque id returned.</param>
    /// <param name="geometry">Its area and capacity.</param>
    /// <returns>The observation.</returns>
    public static Observation Pool(ulong handle, PoolGeometry geometry) => new(handle, 0, 0, geometry);

    /// <summary>A status code was returned.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The observation.</returns>
    public static Observation Returned(int status) => new(0, status, 0, null);
}
