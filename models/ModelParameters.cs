namespace AreaMalloc.Models;

/// <summary>
/// Numbers the model cannot know by itself and the test supplies once per model.
/// </summary>
/// <param name="MinimumPoolSize">
/// The allocator's own metadata size: <c>create_pool</c> with a smaller (valid) size may return NULL.
/// At or above it, and at or below <paramref name="MaximumGuaranteedPoolSize"/>, a valid
/// <c>create_pool</c> with lock spec B_NO_LOCK must succeed (any lock may be refused by RLIMIT_MEMLOCK).
/// </param>
/// <param name="MaximumGuaranteedPoolSize">
/// Above this size the OS may refuse the mapping, so <c>create_pool</c> may return NULL.
/// </param>
public sealed record ModelParameters(ulong MinimumPoolSize, ulong MaximumGuaranteedPoolSize = 1UL << 30);
