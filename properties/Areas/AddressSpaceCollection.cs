namespace AreaMalloc.Properties.Areas;

/// <summary>
/// Facts that free an address range and map it again at that exact address: no other test may map memory in between,
/// so the collection runs alone, after the parallel ones (xunit runs other test classes in parallel, and any of them
/// may create a pool in the freed range).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AddressSpaceCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "address space (runs alone)";
}
