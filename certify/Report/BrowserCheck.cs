using System.Diagnostics;
using AngleSharp.Html.Parser;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// Opens report.html in a real headless browser (Chromium from Debian) and reads back the DOM it rendered: the check
/// passes when the page shows the verdict (<c>#verdict</c> with its <c>data-verdict</c>) and the law table
/// (<c>table#laws</c> with one <c>tr.law</c> per law), and fetched nothing (the page is self-contained).
/// </summary>
internal static class BrowserCheck
{
    /// <summary>Where Debian's chromium package puts the browser; <c>AREAMALLOC_CHROMIUM</c> names another.</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>The browser to use, or null when none is installed.</summary>
    public static string? FindBrowser()
    {
        string? named = Environment.GetEnvironmentVariable("AREAMALLOC_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(named))
            return File.Exists(named) ? named : null;
        return File.Exists(DefaultPath) ? DefaultPath : null;
    }

    /// <summary>What the browser saw.</summary>
    /// <param name="Verdict">The <c>data-verdict</c> of <c>#verdict</c>, or null when the page shows none.</param>
    /// <param name="VerdictText">The text of <c>#verdict</c>.</param>
    /// <param name="LawRows">Rows <c>tr.law</c> of <c>table#laws</c>.</param>
    /// <param name="Problems">What is wrong with the page (empty when the check passed).</param>
    internal sealed record Seen(string? Verdict, string VerdictText, int LawRows, IReadOnlyList<string> Problems)
    {
        /// <summary>True when the page showed a verdict and a law table.</summary>
        public bool Passed => Problems.Count == 0;
    }

    /// <summary>Loads <paramref name="htmlPath"/> in <paramref name="browser"/> (headless, a fresh profile, no network services) and checks what it rendered.</summary>
    /// <param name="htmlPath">The page.</param>
    /// <param name="browser">The browser's executable.</param>
    /// <param name="expectedVerdict">The verdict the page must show (report.json's), or null for any.</param>
    /// <param name="expectedLaws">The number of law rows the page must show, or null for at least one.</param>
    /// <param name="timeout">How long the browser may take.</param>
    public static Seen Check(string htmlPath, string browser, string? expectedVerdict, int? expectedLaws, TimeSpan timeout)
    {
        string profile = Directory.CreateTempSubdirectory("areamalloc-chromium-").FullName;
        try
        {
            string dom = DumpDom(Path.GetFullPath(htmlPath), browser, profile, timeout);
            return Inspect(dom, expectedVerdict, expectedLaws);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A browser subprocess may still hold a file: the temporary folder is left to the system.
            }
        }
    }

    /// <summary>Checks a DOM as the browser serialized it.</summary>
    public static Seen Inspect(string dom, string? expectedVerdict, int? expectedLaws)
    {
        var problems = new List<string>();
        using var document = new HtmlParser().ParseDocument(dom);
        var verdict = document.QuerySelector("#verdict");
        string? verdictValue = verdict?.GetAttribute("data-verdict");
        string verdictText = verdict?.TextContent.Trim() ?? "";
        if (verdict is null)
            problems.Add("the page shows no #verdict");
        else if (expectedVerdict is not null && verdictValue != expectedVerdict)
            problems.Add($"#verdict says '{verdictValue}', report.json says '{expectedVerdict}'");
        var table = document.QuerySelector("table#laws");
        int rows = table?.QuerySelectorAll("tr.law").Length ?? 0;
        if (table is null)
            problems.Add("the page shows no table#laws");
        else if (expectedLaws is int n ? rows != n : rows == 0)
            problems.Add($"table#laws has {rows} law rows, expected {(expectedLaws is int e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "at least one")}");
        if (table is not null && table.Closest("details") is null)
            problems.Add("table#laws is not inside a collapsible <details>");
        return new Seen(verdictValue, verdictText, rows, problems);
    }

    private static string DumpDom(string htmlPath, string browser, string profile, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", $"--user-data-dir={profile}", "--dump-dom", new Uri(htmlPath).AbsoluteUri,
                 })
        {
            info.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{browser} did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{browser} did not render {htmlPath} within {timeout.TotalSeconds:0} s");
        }
        process.WaitForExit();
        if (process.ExitCode != 0 || output.Result.Length == 0)
            throw new InvalidOperationException($"{browser} exited {process.ExitCode} rendering {htmlPath}: {Tail(errors.Result)}");
        return output.Result;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
