using System.Globalization;

namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// The progress channel from tests to certify: a test run with <c>AREAMALLOC_PROGRESS_FILE</c> set appends lines
/// <c>name TAB done TAB total</c> to that file as it works (see the test projects' Progress helpers); certify reads
/// the latest line of each name to show iterations done while the stage runs.
/// </summary>
internal sealed class ProgressFile(string path)
{
    /// <summary>The environment variable that carries the file's path to the tests.</summary>
    public const string Variable = "AREAMALLOC_PROGRESS_FILE";

    /// <summary>The file's path.</summary>
    public string Path { get; } = path;

    /// <summary>The latest (done, total) of every name written so far, summed: what the stage has done of what it plans.</summary>
    public (long Done, long Total, string? Current) Read()
    {
        if (!File.Exists(Path))
            return (0, 0, null);
        var latest = new Dictionary<string, (long Done, long Total)>(StringComparer.Ordinal);
        string? current = null;
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
                    latest[parts[0]] = (done, total);
                    current = parts[0];
                }
            }
        }
        catch (IOException)
        {
            return (0, 0, null);
        }
        return (latest.Values.Sum(v => v.Done), latest.Values.Sum(v => v.Total), current);
    }
}
