using System.Globalization;

namespace AreaMalloc.Models;

/// <summary>The eight entry points of the module.</summary>
public enum CallKind
{
    /// <summary><c>create_pool</c>.</summary>
    CreatePool,

    /// <summary><c>delete_pool</c>.</summary>
    DeletePool,

    /// <summary><c>malloc</c>.</summary>
    Malloc,

    /// <summary><c>calloc</c>.</summary>
    Calloc,

    /// <summary><c>realloc</c>.</summary>
    Realloc,

    /// <summary><c>free</c>.</summary>
    Free,

    /// <summary><c>get_module</c>.</summary>
    GetModule,

    /// <summary><c>put_module</c>.</summary>
    PutModule,
}

/// <summary>
/// A concrete call with its raw arguments: what the test driver passes to the real allocator.
/// Fields a kind does not use are zero.
/// </summary>
/// <param name="Kind">Entry point.</param>
/// <param name="Pool">Pool id (all kinds but create_pool and the module calls).</param>
/// <param name="Address">Pointer argument (realloc, free).</param>
/// <param name="Count">calloc's member count.</param>
/// <param name="Size">Size argument (malloc, calloc member size, realloc, create_pool's pool size).</param>
/// <param name="AddressSpec">create_pool's address spec.</param>
/// <param name="LockSpec">create_pool's lock spec.</param>
/// <param name="Protection">create_pool's protection.</param>
/// <param name="ModuleName">get_module's name.</param>
public sealed record ApiCall(
    CallKind Kind,
    ulong Pool = 0,
    ulong Address = 0,
    ulong Count = 0,
    ulong Size = 0,
    uint AddressSpec = 0,
    uint LockSpec = 0,
    uint Protection = 0,
    string? ModuleName = null)
{
    /// <summary>C-like rendering with raw values, e.g. <c>malloc(0x5000, 48)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind switch
    {
        CallKind.CreatePool => Invariant($"create_pool({AddressSpec}, {Size}, {LockSpec}, 0x{Protection:x})"),
        CallKind.DeletePool => Invariant($"delete_pool(0x{Pool:x})"),
        CallKind.Malloc => Invariant($"malloc(0x{Pool:x}, {Size})"),
        CallKind.Calloc => Invariant($"calloc(0x{Pool:x}, {Count}, {Size})"),
        CallKind.Realloc => Invariant($"realloc(0x{Pool:x}, 0x{Address:x}, {Size})"),
        CallKind.Free => Invariant($"free(0x{Pool:x}, 0x{Address:x})"),
        CallKind.GetModule => Invariant($"get_module(\"{ModuleName}\")"),
        _ => "put_module()",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
