namespace AreaMalloc.Certify.Campaign;

/// <summary>Finds the repository root (the folder holding AreaMalloc.Verify.sln) and its paths.</summary>
internal static class Repository
{
    /// <summary>The repository root, found by walking up from the working folder, then from the program's folder.</summary>
    public static string Root { get; } = Find(Directory.GetCurrentDirectory()) ?? Find(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("AreaMalloc.Verify.sln not found above the working folder: run certify from inside the repository.");

    /// <summary>A path under the repository root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AreaMalloc.Verify.sln")))
                return dir.FullName;
        return null;
    }
}
