using System.Globalization;
using System.Text.RegularExpressions;

namespace AreaMalloc.Certify.Campaign;

/// <summary>
/// How hard checks explored: command sequences and their commands (model-based and fault-injection properties),
/// FsCheck cases (plain properties), Coyote schedules (iterations), real-thread operations (soak), OS faults injected.
/// Effort adds up over checks; a fact that explores nothing has <see cref="None"/>.
/// </summary>
internal sealed record Effort(long Sequences, long Commands, long Cases, long Schedules, long Operations, long FaultsInjected)
{
    /// <summary>No exploration (a plain fact).</summary>
    public static Effort None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>True when nothing was counted.</summary>
    public bool IsNone => this == None;

    /// <summary>The sum of two efforts.</summary>
    public static Effort operator +(Effort a, Effort b) => new(a.Sequences + b.Sequences, a.Commands + b.Commands, a.Cases + b.Cases,
        a.Schedules + b.Schedules, a.Operations + b.Operations, a.FaultsInjected + b.FaultsInjected);

    /// <summary>The sum of many.</summary>
    public static Effort Sum(IEnumerable<Effort> efforts) => efforts.Aggregate(None, (a, b) => a + b);

    /// <summary>Short text such as "30,000 sequences (912,345 commands); 40,000 schedules", or "-".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Sequences > 0)
            parts.Add(Commands > 0 ? $"{N(Sequences)} sequences ({N(Commands)} commands)" : $"{N(Sequences)} sequences");
        if (FaultsInjected > 0)
            parts.Add($"{N(FaultsInjected)} OS faults injected");
        if (Cases > 0)
            parts.Add($"{N(Cases)} cases");
        if (Schedules > 0)
            parts.Add($"{N(Schedules)} schedules");
        if (Operations > 0)
            parts.Add($"{N(Operations)} operations");
        return parts.Count == 0 ? "-" : string.Join("; ", parts);
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads a test's effort from what it reported: its <c>certify:</c> figures first (the model-based property, the Coyote
/// scenarios, fault injection, the soak), then FsCheck's own "Ok, passed N tests." line, then the model-based summary
/// line "N sequences generated, M run (C commands)" that every run of the model-based property prints.
/// </summary>
internal static partial class EffortReader
{
    /// <summary>The effort of one test, from its figures and its standard output.</summary>
    public static Effort Read(IReadOnlyDictionary<string, string> figures, string stdout)
    {
        long sequences = Figure(figures, "sequences") + Figure(figures, "fault-injection sequences");
        long commands = Figure(figures, "commands") + Figure(figures, "fault-injection commands");
        if (sequences == 0 && ModelSummary().Match(stdout) is { Success: true } summary)
        {
            sequences = Parse(summary.Groups["run"].Value);
            commands = Parse(summary.Groups["commands"].Value);
        }
        long cases = FsCheckPassed().Matches(stdout).Sum(m => Parse(m.Groups["n"].Value));
        return new Effort(sequences, commands, cases, Figure(figures, "iterations"), Figure(figures, "soak operations"),
            Figure(figures, "fault-injection faults injected"));
    }

    private static long Figure(IReadOnlyDictionary<string, string> figures, string key) =>
        figures.TryGetValue(key, out string? text) ? Parse(text) : 0;

    private static long Parse(string text) =>
        long.TryParse(text.Trim().Replace(",", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;

    [GeneratedRegex(@"Ok, passed (?<n>[0-9]+) tests?\.")]
    private static partial Regex FsCheckPassed();

    [GeneratedRegex(@"(?<generated>[0-9]+) sequences generated, (?<run>[0-9]+) run \((?<commands>[0-9]+) commands\)")]
    private static partial Regex ModelSummary();
}
