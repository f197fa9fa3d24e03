using System.Globalization;
using System.Xml.Linq;

namespace AreaMalloc.Certify.Campaign;

/// <summary>One test's result as the TRX logger records it.</summary>
internal sealed record TestResult(string FullName, string Outcome, TimeSpan Duration, string StdOut, string? Error)
{
    /// <summary>True when the test passed.</summary>
    public bool Passed => Outcome == "Passed";

    /// <summary>The <c>certify: key=value</c> lines the test printed, as figures.</summary>
    public IReadOnlyDictionary<string, string> Figures =>
        StdOut.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("certify: ", StringComparison.Ordinal) && line.Contains('=', StringComparison.Ordinal))
            .Select(line => line["certify: ".Length..].Split('=', 2))
            .GroupBy(kv => kv[0].Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.Ordinal);
}

/// <summary>Reads the results of a TRX file written by <c>dotnet test --logger trx</c>.</summary>
internal static class TrxResults
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static IReadOnlyList<TestResult> Read(string path)
    {
        XDocument trx = XDocument.Load(path);
        var names = trx.Descendants(Ns + "UnitTest").ToDictionary(
            t => (string)t.Attribute("id")!,
            t => $"{(string?)t.Element(Ns + "TestMethod")?.Attribute("className")}.{(string?)t.Element(Ns + "TestMethod")?.Attribute("name")}",
            StringComparer.Ordinal);
        return trx.Descendants(Ns + "UnitTestResult").Select(r =>
        {
            XElement? output = r.Element(Ns + "Output");
            string error = string.Join("\n", new[]
            {
                (string?)output?.Element(Ns + "ErrorInfo")?.Element(Ns + "Message"),
                (string?)output?.Element(Ns + "ErrorInfo")?.Element(Ns + "StackTrace"),
            }.Where(s => !string.IsNullOrEmpty(s)));
            // testName carries a theory's arguments (the display name); fall back to the method's full name.
            return new TestResult(
                (string?)r.Attribute("testName") ?? names.GetValueOrDefault((string)r.Attribute("testId")!, "?"),
                (string)r.Attribute("outcome")!,
                TimeSpan.Parse((string?)r.Attribute("duration") ?? "0", CultureInfo.InvariantCulture),
                (string?)output?.Element(Ns + "StdOut") ?? "",
                error.Length == 0 ? null : error);
        }).ToList();
    }
}
