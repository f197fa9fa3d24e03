using System.Globalization;

namespace AreaMalloc.Models;

/// <summary>
/// How an operation names a pool: by model number (resolved to the handle that pool got, even
/// after it was deleted), or by a raw handle (NULL or garbage: never a pool the model created).
/// </summary>
/// <param name="Number">1-based model pool number, or 0 for a raw handle.</param>
/// <param name="RawHandle">The handle used when <paramref name="Number"/> is 0.</param>
public readonly record struct PoolRef(int Number, ulong RawHandle)
{
    /// <summary>The NULL pool id.</summary>
    public static PoolRef Null => default;

    /// <summary>The pool the model numbered <paramref name="number"/>.</summary>
    /// <param name="number">1-based model number.</param>
    /// <returns>The reference.</returns>
    public static PoolRef Of(int number) => new(number, 0);

    /// <summary>A raw (garbage) handle.</summary>
    /// <param name="handle">Any value.</param>
    /// <returns>The reference.</returns>
    public static PoolRef Raw(ulong handle) => new(0, handle);

    /// <summary>Label for messages.</summary>
    /// <returns>The label.</returns>
    public override string ToString() => Number > 0
        ? string.Create(CultureInfo.InvariantCulture, $"pool#{Number}")
        : string.Create(CultureInfo.InvariantCulture, $"pool 0x{RawHandle:x}");
}

/// <summary>
/// How an operation names a pointer: by model block id (resolved to that block's address, live
/// or freed), or by a raw address (NULL, or foreign memory).
/// </summary>
/// <param name="Id">1-based model block id, or 0 for a raw address.</param>
/// <param name="RawAddress">The address used when <paramref name="Id"/> is 0.</param>
public readonly record struct BlockRef(int Id, ulong RawAddress)
{
    /// <summary>The NULL pointer.</summary>
    public static BlockRef Null => default;

    /// <summary>The block the model numbered <paramref name="id"/>.</summary>
    /// <param name="id">1-based block id.</param>
    /// <returns>The reference.</returns>
    public static BlockRef Of(int id) => new(id, 0);

    /// <summary>A raw address.</summary>
    /// <param name="address">Any value.</param>
    /// <returns>The reference.</returns>
    public static BlockRef Raw(ulong address) => new(0, address);

    /// <summary>Label for messages.</summary>
    /// <returns>The label.</returns>
    public override string ToString() => Id > 0
        ? string.Create(CultureInfo.InvariantCulture, $"block#{Id}")
        : RawAddress == 0 ? "NULL" : string.Create(CultureInfo.InvariantCulture, $"0x{RawAddress:x}");
}
