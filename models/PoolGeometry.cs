namespace AreaMalloc.Models;

/// <summary>
/// What the real allocator reports about a pool it just created: its area and its capacity
/// guarantees. Recorded by the model at <c>create_pool</c> time and never changed afterwards.
/// </summary>
/// <param name="Base">First address of the pool's area (page aligned).</param>
/// <param name="Size">Size in bytes of the area; must equal the size asked of <c>create_pool</c>.</param>
/// <param name="MaxSingleRequest">
/// The guarantee: a pool with no live blocks satisfies any single request up to this many bytes.
/// </param>
public sealed record PoolGeometry(ulong Base, ulong Size, ulong MaxSingleRequest)
{
    /// <summary>
    /// The largest request the pool could ever satisfy; a larger request must return NULL.
    /// Defaults to <see cref="Size"/> (a block must fit inside the area); a test that knows a
    /// tighter bound sets it with <c>with { Capacity = ... }</c>.
    /// </summary>
    public ulong Capacity { get; init; } = Size;

    /// <summary>True when <c>[address, address + length)</c> lies inside <c>[Base, Base + Size)</c>; overflow safe.</summary>
    /// <param name="address">First byte of the range.</param>
    /// <param name="length">Length of the range in bytes.</param>
    /// <returns>Whether the range is inside the area.</returns>
    public bool Contains(ulong address, ulong length) =>
        address >= Base && length <= Size && address - Base <= Size - length;
}
