namespace AreaMalloc.Pool;

/// <summary>How a pool behaves where the Be Book leaves the outcome to the caller. Chosen once, when the pool is created.</summary>
public enum PoolBehavior
{
    /// <summary>
    /// The Be Book's: delete_pool is NOT safe against other calls on the same pool. A call that found the pool
    /// before delete_pool and runs after it works on memory that is no longer the pool's (unmapped: a crash, or
    /// worse). The caller must make sure no call can run on a pool it deletes. No per-call cost.
    /// </summary>
    BeBook = 0,

    /// <summary>
    /// Beyond the Be Book, opt-in: delete_pool waits for the call in flight (it takes the pool's lock) and every
    /// later call on the pool fails cleanly without touching the pool's memory: malloc, calloc and realloc return
    /// NULL, free and realloc of a block are refused with <see cref="BlockCheck.PoolDeleted"/>, Trim does nothing,
    /// statistics and the integrity walker throw <see cref="ObjectDisposedException"/>. Costs one field test per call.
    /// </summary>
    SafeDeletion = 1,
}
