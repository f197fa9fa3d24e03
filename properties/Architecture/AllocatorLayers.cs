namespace AreaMalloc.Properties.Architecture;

/// <summary>
/// The layer order of allocator/, stated once: each layer is a folder and a namespace, and may use only the layers
/// below it (peers in one row use neither each other). The README's layout section says the same.
/// </summary>
internal static class AllocatorLayers
{
    /// <summary>The layers, bottom first; the names are the folders under allocator/ and the namespaces under AreaMalloc.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Order { get; } =
    [
        ["Be"],
        ["Areas"],
        ["Format"],
        ["Hardening"],
        ["LargeBlocks"],
        ["Slabs"],
        ["Caching"],
        ["Pool"],
        ["BeModule", "Idiomatic"],
    ];

    /// <summary>Every layer's name, bottom first.</summary>
    public static IEnumerable<string> All => Order.SelectMany(row => row);

    /// <summary>The row of <paramref name="layer"/> in <see cref="Order"/> (0 at the bottom), or -1 when it is no layer.</summary>
    public static int RankOf(string layer)
    {
        for (int rank = 0; rank < Order.Count; rank++)
            if (Order[rank].Contains(layer))
                return rank;
        return -1;
    }

    /// <summary>The layers <paramref name="layer"/> must not use: every layer above it, and its peers.</summary>
    public static IEnumerable<string> Forbidden(string layer)
    {
        int rank = RankOf(layer);
        return Order.Skip(rank).SelectMany(row => row).Where(other => other != layer);
    }

    /// <summary>The repository's allocator/ folder, found upward from the test's output folder.</summary>
    public static DirectoryInfo SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AreaMalloc.Verify.sln")))
                return new DirectoryInfo(Path.Combine(dir.FullName, "allocator"));
        throw new InvalidOperationException($"no AreaMalloc.Verify.sln above {AppContext.BaseDirectory}: the architecture facts read the sources of allocator/");
    }
}
