using System.Globalization;

namespace AreaMalloc.ConcurrencyTests.Infrastructure;

/// <summary>
/// Where Coyote traces go (<c>artifacts/coyote/&lt;scenario&gt;-&lt;strategy&gt;-&lt;timestamp&gt;.trace</c> under the
/// repository root) and how they are replayed: <c>AREAMALLOC_REPLAY=&lt;trace&gt; dotnet test ... --filter Scenario=&lt;scenario&gt;</c>.
/// </summary>
public static class TraceFiles
{
    /// <summary>The environment variable that names a trace for the scenario tests to replay.</summary>
    public const string ReplayVariable = "AREAMALLOC_REPLAY";

    /// <summary>The repository root: the nearest folder above this assembly that holds the solution file (else the current folder).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary><c>artifacts/coyote</c> under the repository root.</summary>
    public static string DefaultDirectory { get; } = Path.Combine(RepositoryRoot, "artifacts", "coyote");

    /// <summary>Writes <paramref name="trace"/> to a new file in <paramref name="directory"/> and returns its full path.</summary>
    public static string Write(string directory, string scenario, ExplorationStrategy strategy, string trace)
    {
        Directory.CreateDirectory(directory);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        string path = Path.GetFullPath(Path.Combine(directory, $"{scenario}-{strategy.ShortName()}-{stamp}.trace"));
        for (int n = 2; File.Exists(path); n++)
            path = Path.GetFullPath(Path.Combine(directory, $"{scenario}-{strategy.ShortName()}-{stamp}-{n}.trace"));
        File.WriteAllText(path, trace);
        return path;
    }

    /// <summary>
    /// The trace that <c>AREAMALLOC_REPLAY</c> names (absolute, or relative to the repository root), when it is a
    /// trace of <paramref name="scenario"/> (its file name starts with the scenario's name); else null.
    /// </summary>
    public static string? RequestedReplay(string scenario)
    {
        string? path = Environment.GetEnvironmentVariable(ReplayVariable);
        if (string.IsNullOrWhiteSpace(path))
            return null;
        if (!Path.GetFileName(path).StartsWith(scenario + "-", StringComparison.Ordinal))
            return null;
        // The test host runs in the output folder: a relative path is taken from the repository root.
        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(RepositoryRoot, path));
    }

    /// <summary>The shell command, run from the repository root, that replays <paramref name="tracePath"/>.</summary>
    public static string ReplayCommand(string scenario, string tracePath) =>
        $"cd {Quote(RepositoryRoot)} && {ReplayVariable}={Quote(tracePath)} dotnet test concurrency-tests/AreaMalloc.ConcurrencyTests.csproj --filter Scenario={scenario}";

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.sln").Any() || dir.EnumerateFiles("*.slnx").Any())
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
