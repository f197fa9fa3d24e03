using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AreaMalloc.MutationGate;

/// <summary>What a file of the repository is to the mutation gate.</summary>
internal enum InputKind
{
    /// <summary>An allocator source file that a component's glob mutates: its mutants are rerun when it changes.</summary>
    Mutated,

    /// <summary>A file of the test project (properties/): its tests' mutants are rerun when it changes.</summary>
    TestProject,

    /// <summary>Anything else every mutant's verdict depends on (test kit, models, build and gate configuration): a change reruns everything.</summary>
    Shared,

    /// <summary>An allocator file no component mutates (its changes still reach the tests through the mutated files' runs).</summary>
    NotMutated,
}

/// <summary>
/// The files whose content decides the mutation verdicts, with their kinds: every tracked or new (not ignored) file under
/// allocator/, properties/, testkit/, models/, clone-child/ and fuzz/ (the corpus the replays read), and the gate's and
/// build's configuration files.
/// </summary>
internal static class Inputs
{
    /// <summary>Folders whose files are inputs (with a trailing slash).</summary>
    public static readonly string[] Folders = ["allocator/", "properties/", "testkit/", "models/", "clone-child/", "fuzz/corpus/", "fuzz/regressions/"];

    /// <summary>Single files that are inputs: the build and the gate's configuration.</summary>
    public static readonly string[] Files =
    [
        "stryker-config.json", "Directory.Build.props", "Directory.Packages.props", ".config/dotnet-tools.json", "global.json",
    ];

    /// <summary>The kind of <paramref name="path"/> (repository-relative, forward slashes) under the component globs <paramref name="mutateGlobs"/>.</summary>
    public static InputKind KindOf(string path, IReadOnlyList<Regex> mutateGlobs)
    {
        if (path.StartsWith("allocator/", StringComparison.Ordinal) && path.EndsWith(".cs", StringComparison.Ordinal))
        {
            string inProject = path["allocator/".Length..];
            return mutateGlobs.Any(g => g.IsMatch(inProject)) ? InputKind.Mutated : InputKind.NotMutated;
        }
        if (path.StartsWith("properties/", StringComparison.Ordinal) && path.EndsWith(".cs", StringComparison.Ordinal))
            return InputKind.TestProject;
        return InputKind.Shared;
    }

    /// <summary>Whether <paramref name="path"/> is an input at all (mutation-config/*.jsonc are: they hold the ignores).</summary>
    public static bool IsInput(string path) =>
        Folders.Any(f => path.StartsWith(f, StringComparison.Ordinal))
        || Files.Contains(path, StringComparer.Ordinal)
        || (path.StartsWith("mutation-config/", StringComparison.Ordinal) && path.EndsWith(".jsonc", StringComparison.Ordinal) && path.Count(c => c == '/') == 1);

    /// <summary>
    /// Every input file of the working tree at <paramref name="root"/> with its blob id: git's tracked files plus new
    /// files it does not ignore (so an uncommitted change counts the same as a committed one).
    /// </summary>
    public static SortedDictionary<string, string> Hash(string root)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in ListFiles(root))
        {
            string full = Path.Combine(root, path);
            if (IsInput(path) && File.Exists(full))
                hashes[path] = BlobHash.OfFile(full);
        }
        return hashes;
    }

    private static IEnumerable<string> ListFiles(string root)
    {
        var start = new ProcessStartInfo("git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process git = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        string output = git.StandardOutput.ReadToEnd();
        string error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
            throw new InvalidOperationException($"git ls-files failed in {root} (exit {git.ExitCode}): {error.Trim()}");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    /// <summary>A Stryker mutate glob (<c>**/Slabs/**/*.cs</c>) as a regex over a path relative to allocator/.</summary>
    public static Regex Glob(string glob)
    {
        string pattern = Regex.Escape(glob).Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal);
        return new Regex("^" + pattern + "$", RegexOptions.CultureInvariant);
    }
}
