namespace AreaMalloc.LargeBlocks;

/// <summary>What an in-place resize of a large block did (<see cref="LargeBlockHeap.TryResize"/>).</summary>
internal enum ResizeOutcome
{
    /// <summary>The block now has the new size.</summary>
    Resized,

    /// <summary>The block cannot grow in place (its successor is used or too small); nothing changed.</summary>
    NoRoom,

    /// <summary>Damage was met around the block (reported to the pool's guard); nothing changed.</summary>
    Corrupt,
}
