using System.Globalization;
using System.Text.Json;

namespace AreaMalloc.Certify.Campaign;

/// <summary>The quick benchmarks (bench/ --quick): the ratios pool/peer from artifacts/bench/summary.json become figures.</summary>
internal sealed class BenchStage : IStage
{
    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CampaignSettings settings, IStageProgress progress, CancellationToken cancel)
    {
        progress.Plan(1, "benchmark run", "dotnet run --project bench -- --quick");
        ProcessRunner.Finished run = await ProcessRunner.RunAsync("dotnet",
            ["run", "-c", "Release", "--project", "bench", "--", "--quick"], null, () => progress.Report(0, 0, "quick benchmarks"), cancel).ConfigureAwait(false);
        progress.Report(1, run.ExitCode == 0 ? 0 : 1, null);
        string summary = Repository.PathOf("artifacts", "bench", "summary.json");
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (run.ExitCode == 0 && File.Exists(summary))
            Collect(JsonDocument.Parse(File.ReadAllText(summary)).RootElement, "", figures);
        return [new CheckResult(Name, "quick benchmarks ran (ratios are reported, not gated)", "quick", run.ExitCode == 0 ? Outcome.Passed : Outcome.Failed,
            run.Duration, figures, "dotnet run -c Release --project bench -- --quick", run.ExitCode == 0 ? null : run.Output[^Math.Min(run.Output.Length, 4000)..])];
    }

    /// <summary>Every number in the summary whose path mentions a ratio, as "path=value".</summary>
    private static void Collect(JsonElement element, string path, Dictionary<string, string> figures)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                    Collect(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", figures);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    string key = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("workload", out JsonElement w) ? w.ToString() : (i++).ToString(CultureInfo.InvariantCulture);
                    Collect(item, $"{path}[{key}]", figures);
                }
                break;
            case JsonValueKind.Number when path.Contains("ratio", StringComparison.OrdinalIgnoreCase):
                figures[path] = element.GetDouble().ToString("0.00", CultureInfo.InvariantCulture);
                break;
        }
    }
}
