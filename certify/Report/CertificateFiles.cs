using AreaMalloc.Certify.Campaign;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// Writes the certificate's three files (report.md, report.json, report.html) and checks them: report.json against its
/// schema, report.html in a headless browser when one is installed (or can be installed by <c>.ci/install-chromium</c>).
/// </summary>
internal static class CertificateFiles
{
    /// <summary>What the checks of the written files found.</summary>
    /// <param name="SchemaErrors">report.json against report.schema.json (empty: valid).</param>
    /// <param name="Browser">What the browser saw, or null when it could not run.</param>
    /// <param name="BrowserNote">Why the browser check did not run, or what went wrong running it.</param>
    internal sealed record Checked(IReadOnlyList<string> SchemaErrors, BrowserCheck.Seen? Browser, string? BrowserNote)
    {
        /// <summary>True when nothing the checks could see is wrong (a browser that could not run is no failure).</summary>
        public bool Passed => SchemaErrors.Count == 0 && (Browser is null || Browser.Passed) && !BrowserFailed;

        /// <summary>True when the browser ran and failed (did not render, or timed out).</summary>
        public bool BrowserFailed { get; init; }
    }

    /// <summary>Writes report.md, report.json and report.html of <paramref name="doc"/> into <paramref name="directory"/>.</summary>
    public static void Write(CertificateDocument doc, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.json"), JsonReport.Render(doc));
        File.WriteAllText(Path.Combine(directory, "report.md"), MarkdownReport.Render(doc));
        File.WriteAllText(Path.Combine(directory, "report.html"), HtmlReport.Render(doc));
    }

    /// <summary>Checks the files written in <paramref name="directory"/>; <paramref name="installBrowser"/> may install Chromium first.</summary>
    public static Checked Check(CertificateDocument doc, string directory, bool installBrowser)
    {
        IReadOnlyList<string> schemaErrors = ReportSchema.Validate(File.ReadAllText(Path.Combine(directory, "report.json")));
        string? browser = BrowserCheck.FindBrowser();
        string? note = null;
        if (browser is null && installBrowser)
        {
            note = InstallBrowser();
            browser = BrowserCheck.FindBrowser();
        }
        if (browser is null)
            return new Checked(schemaErrors, null, note ?? $"no browser at {BrowserCheck.DefaultPath} (bash .ci/install-chromium installs Debian's chromium)");
        try
        {
            int laws = doc.Concerns.Sum(c => c.Laws.Count);
            return new Checked(schemaErrors, BrowserCheck.Check(Path.Combine(directory, "report.html"), browser, doc.Verdict, laws, TimeSpan.FromSeconds(90)), null);
        }
        catch (Exception failed) when (failed is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return new Checked(schemaErrors, null, failed.Message) { BrowserFailed = true };
        }
    }

    private static string? InstallBrowser()
    {
        string script = Repository.PathOf(".ci", "install-chromium");
        if (!File.Exists(script))
            return $"{script} is missing";
        var run = ProcessRunner.RunAsync("bash", [script], null, null, CancellationToken.None).GetAwaiter().GetResult();
        return run.ExitCode == 0 ? null : $"bash .ci/install-chromium exited {run.ExitCode}: {run.Output.Trim().Split('\n').LastOrDefault()}";
    }
}
