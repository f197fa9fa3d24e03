using System.Globalization;
using System.Xml.Linq;

namespace AreaMalloc.Certify.Campaign;

/// <summary>One test's result as the TRX logger records it.</summary>
/// <param name="FullName">The display name: namespace, class, method and a theory's arguments.</param>
/// <param name="ClassName">The test class with its namespace.</param>
/// <param name="MethodName">The test method's name.</param>
/// <param name="Outcome">The TRX outcome (Passed, Failed, NotExecuted, ...).</param>
/// <param name="Duration">Its wall time.</param>
/// <param name="StdOut">What it wrote to its output.</param>
/// <param name="Error">Its failure message and stack, or null.</param>
internal sealed record TestResult(string FullName, string ClassName, string MethodName, string Outcome, TimeSpan Duration, string StdOut, string? Error)
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
        var methods = trx.Descendants(Ns + "UnitTest").ToDictionary(
            t => (string)t.Attribute("id")!,
            t => ((string?)t.Element(Ns + "TestMethod")?.Attribute("className") ?? "?", (string?)t.Element(Ns + "TestMethod")?.Attribute("name") ?? "?"),
            StringComparer.Ordinal);
        return trx.Descendants(Ns + "UnitTestResult").Select(r =>
        {
            XElement? output = r.Element(Ns + "Output");
            string error = string.Join("\n", new[]
            {
                (string?)output?.Element(Ns + "ErrorInfo")?.Element(Ns + "Message"),
                (string?)output?.Element(Ns + "ErrorInfo")?.Element(Ns + "StackTrace"),
            }.Where(s => !string.IsNullOrEmpty(s)));
            var (className, methodName) = methods.GetValueOrDefault((string)r.Attribute("testId")!, ("?", "?"));
            // testName carries a theory's arguments (the display name); fall back to the method's full name.
            return new TestResult(
                (string?)r.Attribute("testName") ?? $"{className}.{methodName}",
                className,
                methodName,
                (string)r.Attribute("outcome")!,
                TimeSpan.Parse((string?)r.Attribute("duration") ?? "0", CultureInfo.InvariantCulture),
                (string?)output?.Element(Ns + "StdOut") ?? "",
                error.Length == 0 ? null : error);
        }).ToList();
    }
}
