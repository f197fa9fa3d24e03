namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>A block a scenario holds: where it is, how many bytes were asked for, and the pattern it carries.</summary>
/// <param name="Address">The block's first byte.</param>
/// <param name="Size">The bytes asked for (all filled with the pattern of <paramref name="Id"/>).</param>
/// <param name="Id">The pattern's id, unique in the iteration.</param>
/// <param name="Owner">The index of the task that allocated it.</param>
public readonly record struct LiveBlock(nint Address, nuint Size, int Id, int Owner);
