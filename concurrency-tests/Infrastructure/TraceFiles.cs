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

    /// <summary>The environment variable that fixes the seed of the scenario tests' explorations.</summary>
    public const string SeedVariable = "AREAMALLOC_SEED";

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

    /// <summary>The seed <c>AREAMALLOC_SEED</c> asks for, or null when it is unset.</summary>
    /// <exception cref="FormatException">The variable is set but is not an unsigned 32-bit number.</exception>
    public static uint? RequestedSeed()
    {
        string? value = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(value))
            return null;
        return uint.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint seed)
            ? seed
            : throw new FormatException($"{SeedVariable}='{value}' is not a seed (an unsigned 32-bit number).");
    }

    /// <summary>
    /// Writes a note saying which exploration is running and how to run it again, and returns its path. The runner
    /// deletes it when the exploration ends; a note left behind means the process died during it (for example an
    /// access violation in corrupted native memory), when Coyote could write no trace. An exploration is
    /// deterministic for a seed, so running it again with the same seed and strategy reaches the same point.
    /// </summary>
    public static string WriteRunningNote(string directory, string scenario, ExplorationStrategy strategy, uint seed, uint iterations)
    {
        Directory.CreateDirectory(directory);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        string path = Path.GetFullPath(Path.Combine(directory, $"{scenario}-{strategy.ShortName()}-{stamp}.running.txt"));
        File.WriteAllText(path,
            $"Coyote is exploring {scenario} with the {strategy.ShortName()} strategy, seed {seed}, {iterations} iterations." + Environment.NewLine +
            "If this note is still here, the process died during that exploration and Coyote could write no trace." + Environment.NewLine +
            "The exploration is deterministic for a seed and strategy; run it again with:" + Environment.NewLine +
            $"cd {Quote(RepositoryRoot)} && {SeedVariable}={seed} dotnet test concurrency-tests/AreaMalloc.ConcurrencyTests.csproj --filter \"Scenario={scenario}&DisplayName~{strategy}\"" + Environment.NewLine);
        return path;
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
