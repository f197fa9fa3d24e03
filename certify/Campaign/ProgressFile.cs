using System.Globalization;

namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// The progress channel from tests to certify: a test run with <c>AREAMALLOC_PROGRESS_FILE</c> set appends lines
/// <c>name TAB done TAB total</c> to that file as it works (see the test projects' Progress class). Certify shows
/// the work still in flight (the latest line of a name whose done is below its total) next to the stage's count of
/// tests, which is what the stage's progress counts.
/// </summary>
internal sealed class ProgressFile(string path)
{
    /// <summary>The environment variable that carries the file's path to the tests.</summary>
    public const string Variable = "AREAMALLOC_PROGRESS_FILE";

    /// <summary>The file's path.</summary>
    public string Path { get; } = path;

    /// <summary>The latest (done, total) of every name written so far, the most recently written last.</summary>
    public OrderedDictionary<string, (long Done, long Total)> Read()
    {
        var latest = new OrderedDictionary<string, (long Done, long Total)>(StringComparer.Ordinal);
        if (!File.Exists(Path))
            return latest;
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                string[] parts = line.Split('\t');
                if (parts.Length == 3 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long done)
                    && long.TryParse(parts[2], CultureInfo.InvariantCulture, out long total))
                {
                    latest.Remove(parts[0]);
                    latest[parts[0]] = (done, total);
                }
            }
        }
        catch (IOException)
        {
            // The test is writing it: the next tick reads it again.
        }
        return latest;
    }

    /// <summary>When a test last wrote to the channel (UTC), or <see cref="DateTime.MinValue"/> when none did.</summary>
    public DateTime LastWrite => File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : DateTime.MinValue;

    /// <summary>"name: done of total" of the latest work a test reported and has not finished, or null.</summary>
    public string? InFlight()
    {
        foreach (var (name, (done, total)) in Read().Reverse())
        {
            if (done < total)
                return string.Create(CultureInfo.InvariantCulture, $"{name}: {done:N0} of {total:N0}");
        }
        return null;
    }
}
