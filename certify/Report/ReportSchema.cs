using System.Reflection;
using System.Text.Json;
using Json.Schema;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// The JSON Schema of report.json (certify/report.schema.json, built into the program) and the check of a report
/// against it (JsonSchema.Net, draft 2020-12).
/// </summary>
internal static class ReportSchema
{
    private static readonly Lazy<JsonSchema> s_schema = new(() => JsonSchema.FromText(Text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    /// <summary>The schema's text.</summary>
    public static string Text
    {
        get
        {
            using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("AreaMalloc.Certify.report.schema.json")
                ?? throw new InvalidOperationException("report.schema.json is not embedded in certify");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The errors of <paramref name="json"/> against the schema, one line each ("location: message"); empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        EvaluationResults results = s_schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
            return [];
        var errors = new List<string>();
        foreach (EvaluationResults detail in new[] { results }.Concat(results.Details ?? []))
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
                errors.Add($"{detail.InstanceLocation}: {keyword}: {message}");
        }
        return errors.Count > 0 ? errors : ["report.json does not match report.schema.json"];
    }
}
