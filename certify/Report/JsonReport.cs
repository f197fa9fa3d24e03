using System.Text.Json;

namespace AreaMalloc.Certify.Report;

/// <summary>report.json: the certificate document, camelCase, indented.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>The JSON text of <paramref name="doc"/>.</summary>
    public static string Render(CertificateDocument doc) => JsonSerializer.Serialize(doc, s_options);
}
