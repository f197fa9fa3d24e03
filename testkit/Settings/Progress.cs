namespace AreaMalloc.TestKit.Settings;

/// <summary>
/// Tells a watching certify campaign how far a test got: when <c>AREAMALLOC_PROGRESS_FILE</c> names a file, each
/// report appends a line <c>name TAB done TAB total</c> to it. Without the variable, reports do nothing.
/// </summary>
public static class Progress
{
    private static readonly string? s_path = Environment.GetEnvironmentVariable("AREAMALLOC_PROGRESS_FILE");
    private static readonly object s_gate = new();

    /// <summary>Records that <paramref name="name"/> has done <paramref name="done"/> of <paramref name="total"/> units (sequences, iterations).</summary>
    public static void Report(string name, long done, long total)
    {
        if (s_path is null)
            return;
        lock (s_gate)
            File.AppendAllText(s_path, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}\t{done}\t{total}\n"));
    }
}
