using AreaMalloc.Certify.Campaign;
using AreaMalloc.Certify.Report;

namespace AreaMalloc.Certify.Tests;

/// <summary>
/// report.html in a real headless browser (Debian's chromium): the page the browser renders shows the verdict and the
/// law table. In CI (CI set) a missing browser fails the test (.ci/run installs it first); elsewhere the test reports
/// itself skipped, saying why, rather than passing.
/// </summary>
public sealed class BrowserFacts
{
    [SkippableFact]
    public void Chromium_renders_the_verdict_and_the_law_table_of_a_certified_campaign()
    {
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        BrowserCheck.Seen seen = Render(doc);
        Assert.True(seen.Passed, string.Join("; ", seen.Problems));
        Assert.Equal("certified", seen.Verdict);
        Assert.StartsWith("CERTIFIED", seen.VerdictText, StringComparison.Ordinal);
        Assert.Equal(doc.Counts.Laws, seen.LawRows);
    }

    [SkippableFact]
    public void Chromium_renders_a_failed_certificate_as_not_certified()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks();
        checks.Add(SyntheticCampaign.Test("CallocFacts", "Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks", Outcome.Failed, "expected 0, actual 0xDE"));
        BrowserCheck.Seen seen = Render(SyntheticCampaign.Certificate(checks));
        Assert.True(seen.Passed, string.Join("; ", seen.Problems));
        Assert.Equal("not certified", seen.Verdict);
        Assert.StartsWith("NOT CERTIFIED", seen.VerdictText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_without_the_verdict_or_the_law_table_fails_the_check()
    {
        BrowserCheck.Seen empty = BrowserCheck.Inspect("<html><body><p>hello</p></body></html>", "certified", 34);
        Assert.Equal(2, empty.Problems.Count);
        BrowserCheck.Seen wrong = BrowserCheck.Inspect(
            "<html><body><p id=\"verdict\" data-verdict=\"certified\">CERTIFIED</p><table id=\"laws\"><tr class=\"law\"><td>x</td></tr></table></body></html>",
            "not certified", 34);
        Assert.Contains(wrong.Problems, p => p.Contains("report.json says 'not certified'", StringComparison.Ordinal));
        Assert.Contains(wrong.Problems, p => p.Contains("1 law rows, expected 34", StringComparison.Ordinal));
        Assert.Contains(wrong.Problems, p => p.Contains("<details>", StringComparison.Ordinal));
    }

    [Fact]
    public void The_page_is_self_contained()
    {
        string html = HtmlReport.Render(SyntheticCampaign.Certificate(SyntheticCampaign.Checks()));
        foreach (string reference in new[] { "http://", "https://", "<script", "<link", "src=", "@import" })
            Assert.DoesNotContain(reference, html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<details id=\"law-table\" open>", html, StringComparison.Ordinal);
        Assert.Contains("<details id=\"appendix\">", html, StringComparison.Ordinal);
    }

    private static BrowserCheck.Seen Render(CertificateDocument doc)
    {
        string? browser = BrowserCheck.FindBrowser();
        if (browser is null)
        {
            string why = $"no headless browser at {BrowserCheck.DefaultPath}: run 'bash .ci/install-chromium' (as root or with password-less sudo)";
            Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")), "CI must check report.html in a browser, but " + why);
            Skip.If(true, why);
        }
        string folder = SyntheticCampaign.TempFolder();
        CertificateFiles.Write(doc, folder);
        return BrowserCheck.Check(Path.Combine(folder, "report.html"), browser!, doc.Verdict, doc.Counts.Laws, TimeSpan.FromSeconds(90));
    }
}
