namespace AreaMalloc.Models;

/// <summary>
/// One step of a test sequence, in the model's terms (pool numbers, block ids). The model turns
/// it into a concrete <see cref="ApiCall"/> with <see cref="AllocatorModel.Resolve"/>; the judgement
/// is always made on the concrete call, so an operation meant as misuse that happens to be legal
/// (a freed address that was reused, a deleted pool whose handle was reused) is judged as legal.
/// </summary>
public abstract record Operation;

/// <summary><c>create_pool(addressSpec, size, lockSpec, protection)</c>.</summary>
/// <param name="AddressSpec">B_ANY_ADDRESS and friends.</param>
/// <param name="Size">Pool size in bytes.</param>
/// <param name="LockSpec">B_NO_LOCK and friends.</param>
/// <param name="Protection">B_READ_AREA | B_WRITE_AREA and friends.</param>
public sealed record CreatePool(uint AddressSpec, ulong Size, uint LockSpec, uint Protection) : Operation;

/// <summary><c>delete_pool(pool)</c>.</summary>
/// <param name="Pool">The pool.</param>
public sealed record DeletePool(PoolRef Pool) : Operation;

/// <summary><c>malloc(pool, size)</c>.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Size">Requested bytes.</param>
public sealed record Malloc(PoolRef Pool, ulong Size) : Operation;

/// <summary><c>calloc(pool, count, size)</c>.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Count">Number of members.</param>
/// <param name="Size">Size of one member.</param>
public sealed record Calloc(PoolRef Pool, ulong Count, ulong Size) : Operation;

/// <summary><c>realloc(pool, block, size)</c>.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">The block (or NULL).</param>
/// <param name="Size">New requested size.</param>
public sealed record Realloc(PoolRef Pool, BlockRef Block, ulong Size) : Operation;

/// <summary><c>free(pool, block)</c>.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">The block (or NULL).</param>
public sealed record Free(PoolRef Pool, BlockRef Block) : Operation;

/// <summary><c>get_module(name)</c>.</summary>
/// <param name="Name">Module name; only <see cref="BeConstants.ModuleName"/> exists.</param>
public sealed record GetModule(string Name) : Operation;

/// <summary><c>put_module(B_AREA_MALLOC_MODULE_NAME)</c>.</summary>
public sealed record PutModule : Operation;

/// <summary>Misuse: <c>free</c> of a block that was already freed (refused unless its address was reused).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">A freed block.</param>
public sealed record DoubleFree(PoolRef Pool, BlockRef Block) : Operation;

/// <summary>Misuse: <c>free</c> of a pointer inside a block (its address + <paramref name="Offset"/>).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">A block.</param>
/// <param name="Offset">Bytes past the block's start; use <c>1 &lt;= Offset &lt; Usable</c>.</param>
public sealed record InteriorFree(PoolRef Pool, BlockRef Block, ulong Offset) : Operation;

/// <summary>Misuse: <c>free</c> of a pointer the allocator never returned (stack, heap, another pool's block).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Address">The foreign pointer.</param>
public sealed record ForeignFree(PoolRef Pool, ulong Address) : Operation;

/// <summary>Misuse: <c>realloc</c> of a block that was already freed.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Block">A freed block.</param>
/// <param name="Size">New requested size.</param>
public sealed record FreedPointerToRealloc(PoolRef Pool, BlockRef Block, ulong Size) : Operation;

/// <summary>Which call <see cref="OperationOnDeletedPool"/> makes.</summary>
public enum PoolCallKind
{
    /// <summary><c>delete_pool</c> again: B_ERROR.</summary>
    Delete,

    /// <summary><c>malloc(size)</c>: NULL.</summary>
    Malloc,

    /// <summary><c>calloc(1, size)</c>: NULL.</summary>
    Calloc,

    /// <summary><c>realloc(block, size)</c>: NULL.</summary>
    Realloc,

    /// <summary><c>free(block)</c>: nothing.</summary>
    Free,
}

/// <summary>Misuse: a call on a deleted pool (or, with a raw <see cref="PoolRef"/>, on a garbage id).</summary>
/// <param name="Pool">A deleted pool.</param>
/// <param name="Kind">Which call.</param>
/// <param name="Block">Pointer argument for realloc/free (NULL allowed).</param>
/// <param name="Size">Size argument for malloc/calloc/realloc.</param>
public sealed record OperationOnDeletedPool(PoolRef Pool, PoolCallKind Kind, BlockRef Block, ulong Size) : Operation;

/// <summary>Misuse: <c>calloc(count, size)</c> whose product overflows 64 bits: must return NULL.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Count">Number of members.</param>
/// <param name="Size">Size of one member.</param>
public sealed record CallocOverflow(PoolRef Pool, ulong Count, ulong Size) : Operation;

/// <summary>Misuse: <c>malloc(size)</c> beyond the pool's capacity (e.g. <c>ulong.MaxValue</c>): must return NULL.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Size">Requested bytes.</param>
public sealed record ImpossibleSize(PoolRef Pool, ulong Size) : Operation;
