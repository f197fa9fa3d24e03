namespace AreaMalloc.Pool;

/// <summary>What a pool finds when asked about a pointer (free, realloc and the idiomatic surface say why they refuse).</summary>
public enum BlockCheck
{
    /// <summary>The pointer is the start of a live block of this pool.</summary>
    Live,
    /// <summary>The pointer is NULL.</summary>
    Null,
    /// <summary>The pointer is not inside this pool's heap (foreign, or another pool's).</summary>
    OutsidePool,
    /// <summary>The pointer is inside the heap but not 16-byte aligned, so it cannot start a block.</summary>
    Misaligned,
    /// <summary>The pointer is inside the heap but does not start a live block (already freed, interior, or never handed out).</summary>
    NotLive,
    /// <summary>The pointer is marked live but the block's metadata is damaged; the pool refuses to follow it.</summary>
    Corrupt,
    /// <summary>The pool was deleted; with <see cref="PoolBehavior.SafeDeletion"/> every later call is refused with this.</summary>
    PoolDeleted,
}
