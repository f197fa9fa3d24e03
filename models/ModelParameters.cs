namespace AreaMalloc.Models;

/// <summary>
/// Numbers the model cannot know by itself and the test supplies once per model.
/// </summary>
/// <param name="MinimumPoolSize">
/// The allocator's own metadata size: <c>create_pool</c> with a smaller (valid) size may return NULL.
/// At or above it, and at or below <paramref name="MaximumGuaranteedPoolSize"/>, a valid
/// <c>create_pool</c> with lock spec NO_LOCK or LAZY_LOCK must succeed.
/// </param>
/// <param name="MaximumGuaranteedPoolSize">
/// Above this size the OS may refuse the mapping, so <c>create_pool</c> may return NULL.
/// </param>
public sealed record ModelParameters(ulong MinimumPoolSize, ulong MaximumGuaranteedPoolSize = 1UL << 30);
