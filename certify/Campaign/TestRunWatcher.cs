using System.Text.RegularExpressions;

namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// Counts the tests a <c>dotnet test</c> run has finished, from the lines its console logger prints at normal verbosity
/// as each result arrives (<c>  Passed Namespace.Class.Method [12 ms]</c>, <c>  Failed ...</c>, <c>  Skipped ...</c>):
/// the runner's own progress, seen while the run goes on. Thread-safe: lines come from the output reader threads.
/// </summary>
internal sealed partial class TestRunWatcher
{
    private readonly object _gate = new();
    private long _finished;
    private long _failed;
    private string? _last;
    private DateTime _lastAt = DateTime.MinValue;

    /// <summary>Takes one line of the run's output.</summary>
    public void OnLine(string line)
    {
        Match match = ResultLine().Match(line);
        if (!match.Success)
            return;
        lock (_gate)
        {
            _finished++;
            if (match.Groups["outcome"].Value == "Failed")
                _failed++;
            _last = match.Groups["name"].Value;
            _lastAt = DateTime.UtcNow;
        }
    }

    /// <summary>Tests finished so far, how many of them failed, and the last one that finished (Class.Method, no namespace).</summary>
    public (long Finished, long Failed, string? Last) Snapshot()
    {
        lock (_gate)
            return (_finished, _failed, _last is null ? null : ShortName(_last));
    }

    /// <summary>When the last result line came (UTC), or <see cref="DateTime.MinValue"/> before the first.</summary>
    public DateTime LastResultAt
    {
        get
        {
            lock (_gate)
                return _lastAt;
        }
    }

    /// <summary>Class.Method(arguments) without the namespace.</summary>
    public static string ShortName(string fullName)
    {
        int paren = fullName.IndexOf('(', StringComparison.Ordinal);
        string method = paren < 0 ? fullName : fullName[..paren], arguments = paren < 0 ? "" : fullName[paren..];
        string[] parts = method.Split('.');
        return (parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : method) + arguments;
    }

    [GeneratedRegex(@"^\s+(?<outcome>Passed|Failed|Skipped) (?<name>\S.*?)(?: \[[^\]]*\])?\s*$")]
    private static partial Regex ResultLine();
}

/// <summary>Lists the tests a <c>dotnet test</c> run with a filter will run, before it runs them: the stage's total.</summary>
internal static class TestListing
{
    /// <summary>The display names <c>dotnet test --list-tests</c> prints for <paramref name="project"/> under <paramref name="filter"/>.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(string project, string configuration, string filter, CancellationToken cancel)
    {
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("dotnet",
            ["test", project, "-c", configuration, "--no-build", "--list-tests", "--filter", filter], null, null, cancel).ConfigureAwait(false);
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"dotnet test --list-tests of {project} exited {run.ExitCode}:\n{run.Output}");
        return Parse(run.Output);
    }

    /// <summary>The indented names after "The following Tests are available:".</summary>
    public static IReadOnlyList<string> Parse(string output)
    {
        var names = new List<string>();
        bool listing = false;
        foreach (string line in output.Split('\n'))
        {
            if (line.TrimEnd().EndsWith("The following Tests are available:", StringComparison.Ordinal))
                listing = true;
            else if (listing && line.StartsWith("    ", StringComparison.Ordinal) && line.Trim().Length > 0)
                names.Add(line.Trim());
        }
        return names;
    }
}
