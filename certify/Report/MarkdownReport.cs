using System.Globalization;
using System.Text;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// report.md: the first screen is the verdict, the run's facts and the failed laws; then the law table by concern,
/// the exploration totals, coverage and mutation, what is not certified, and appendices (every check by law, the
/// harness's self-checks, the gates, unmapped checks).
/// </summary>
internal static class MarkdownReport
{
    /// <summary>The markdown of <paramref name="doc"/> (numbers in the invariant culture).</summary>
    public static string Render(CertificateDocument doc)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return Write(doc);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    private static string Write(CertificateDocument doc)
    {
        var md = new StringBuilder();
        Line(md, $"# AreaMalloc certificate: {(doc.Passed ? "CERTIFIED" : "NOT CERTIFIED")}");
        Line(md);
        Line(md, "| | |");
        Line(md, "|---|---|");
        Line(md, $"| **verdict** | **{(doc.Passed ? "CERTIFIED" : "NOT CERTIFIED")}**: {Cell(doc.VerdictReasons[0])} |");
        foreach (string reason in doc.VerdictReasons.Skip(1))
            Line(md, $"| | {Cell(reason)} |");
        Line(md, $"| commit | `{doc.Run.Commit}`{(doc.Run.Dirty ? " (with uncommitted changes)" : "")} |");
        Line(md, $"| date | {doc.Run.Date} |");
        Line(md, $"| machine | {doc.Run.Machine.Cores} cores, {doc.Run.Machine.Memory}, {Cell(doc.Run.Machine.Os)}, {Cell(doc.Run.Machine.Runtime)} |");
        Line(md, $"| budget | `AREAMALLOC_BUDGET={doc.Run.Budget}`{(doc.Run.Options.Count > 0 ? ", " + string.Join(" ", doc.Run.Options) : "")} |");
        Line(md, $"| time | {doc.Run.Duration} |");
        Line(md, $"| checks | {doc.Counts.Checks:N0}: {doc.Counts.Passed:N0} passed, {doc.Counts.Failed:N0} failed, {doc.Counts.Skipped:N0} skipped ({doc.Counts.HarnessChecks:N0} of them harness self-checks, {doc.Counts.Unmapped:N0} unmapped) |");
        Line(md, $"| laws | {doc.Counts.Laws}: {doc.Counts.LawsPassed} passed, {doc.Counts.LawsFailed} failed, {doc.Counts.LawsNotChecked} not checked |");
        Line(md, $"| exploration | {Cell(doc.Exploration.Summary)} |");
        Line(md, $"| coverage | {Coverage(doc.Figures.Coverage)} |");
        Line(md, $"| mutation | {Mutation(doc.Figures.Mutation)} |");

        if (doc.FailedLaws.Count > 0)
        {
            Line(md);
            Line(md, $"## Failed laws ({doc.FailedLaws.Count} of {doc.Counts.Laws})");
            Line(md);
            Line(md, "| law | failed checks | first failure |");
            Line(md, "|---|---|---|");
            foreach (FailedLawEntry law in doc.FailedLaws)
                Line(md, $"| `{law.Id}`: {Cell(law.Statement)} | {law.Failed} of {law.Checks} | `{Cell(law.FirstCheck)}`: {Inline(law.FirstMessage)} |");
        }
        if (doc.Failures.Count > 0)
        {
            Line(md);
            Line(md, $"## Failed checks ({doc.Failures.Count})");
            Line(md);
            foreach (FailureEntry failure in doc.Failures)
            {
                string laws = failure.Laws.Count > 0 ? string.Join(", ", failure.Laws) : failure.Role;
                Line(md, $"- **{laws}**: `{failure.Check}` ({failure.Stage})  ");
                Line(md, $"  {Inline(failure.Message)}  ");
                if (failure.Replay is not null)
                    Line(md, $"  replay: `{failure.Replay}`");
            }
        }
        if (doc.Unmapped.Count > 0)
        {
            Line(md);
            Line(md, $"**{doc.Unmapped.Count} unmapped checks** (no law; see Appendix D): {string.Join(", ", doc.Unmapped.Select(c => c.MapKey).Distinct(StringComparer.Ordinal))}. {doc.UnmappedPolicy}");
        }

        Line(md);
        Line(md, "## Laws");
        Line(md);
        Line(md, "| law | status | checks | configurations | effort |");
        Line(md, "|---|---|---|---|---|");
        foreach (ConcernEntry concern in doc.Concerns)
        {
            Line(md, $"| **{concern.Title}** | **{concern.Status}** | | | |");
            foreach (LawEntry law in concern.Laws)
            {
                Line(md, $"| {Cell(law.Statement)} <sub>`{law.Id}`, {Cell(law.Source)}</sub> | {Status(law.Status)} | " +
                    $"{law.Checks}{(law.Failed > 0 ? $" ({law.Failed} failed)" : "")}: {Cell(string.Join(", ", law.CheckGroups))} | " +
                    $"{Cell(string.Join(", ", law.Configurations))} | {Cell(law.Effort.Summary)} |");
            }
        }

        Line(md);
        Line(md, "## Exploration");
        Line(md);
        Line(md, "| what | total |");
        Line(md, "|---|---|");
        Line(md, $"| checks of laws run | {doc.Exploration.Runs:N0} |");
        Line(md, $"| command sequences (model-based, fault injection) | {doc.Exploration.Sequences:N0} |");
        Line(md, $"| commands in them | {doc.Exploration.Commands:N0} |");
        Line(md, $"| OS faults injected | {doc.Exploration.FaultsInjected:N0} |");
        Line(md, $"| property cases (FsCheck) | {doc.Exploration.Cases:N0} |");
        Line(md, $"| schedules (Coyote iterations) | {doc.Exploration.Schedules:N0} |");
        Line(md, $"| real-thread operations (soak) | {doc.Exploration.Operations:N0} |");

        Line(md);
        Line(md, "## Coverage and mutation");
        Line(md);
        Line(md, $"- coverage: {Coverage(doc.Figures.Coverage)}. {doc.Figures.Coverage.Note}.");
        Line(md, $"- mutation: {Mutation(doc.Figures.Mutation)}.{Counts(doc.Figures.Mutation)}");
        Line(md, $"- bench: {(doc.Figures.Bench.Ratios.Count == 0 ? doc.Figures.Bench.Note : string.Join("; ", doc.Figures.Bench.Ratios.Select(r => $"{r.Key} {r.Value}")))}");

        Line(md);
        Line(md, "## Not certified");
        Line(md);
        foreach (LimitEntry limit in doc.NotCertified)
            Line(md, $"- **{limit.What}**: {limit.Why}");

        Line(md);
        Line(md, "## Stages");
        Line(md);
        Line(md, "| stage | checks | passed | failed | skipped | time |");
        Line(md, "|---|---|---|---|---|---|");
        foreach (StageEntry stage in doc.Stages)
            Line(md, $"| {stage.Name} | {stage.Checks} | {stage.Passed} | {stage.Failed} | {stage.Skipped} | {stage.Seconds:0.0} s |");

        Line(md);
        Line(md, "## Appendix A: every check, by law");
        foreach (ConcernEntry concern in doc.Concerns)
        {
            foreach (LawEntry law in concern.Laws)
            {
                Line(md);
                Line(md, $"### {law.Id}: {Status(law.Status)}");
                Line(md);
                Line(md, law.Statement);
                Line(md);
                CheckTable(md, doc.Checks.Where(c => c.Laws.Contains(law.Id)));
            }
        }
        Line(md);
        Line(md, "## Appendix B: harness self-checks");
        Line(md);
        Line(md, "The harness checking itself: the budget, replay, Coyote's rewriting, the reference model, fail-fast mode, and the rule that the allocator's layers only look down. They are not laws of the allocator; a failure fails the certificate all the same.");
        Line(md);
        CheckTable(md, doc.HarnessChecks, harness: true);
        Line(md);
        Line(md, "## Appendix C: gates");
        Line(md);
        CheckTable(md, doc.Gates);
        Line(md);
        Line(md, "## Appendix D: unmapped checks");
        Line(md);
        Line(md, doc.UnmappedPolicy);
        Line(md);
        if (doc.Unmapped.Count == 0)
            Line(md, "None: every check's class is in the check map.");
        else
            CheckTable(md, doc.Unmapped);
        if (doc.StaleMapEntries.Count > 0)
        {
            Line(md);
            Line(md, $"Entries of the check map that matched no check of this run (a renamed or removed test?): {string.Join(", ", doc.StaleMapEntries.Select(k => $"`{k}`"))}.");
        }
        return md.ToString();
    }

    private static void CheckTable(StringBuilder md, IEnumerable<CheckEntry> checks, bool harness = false)
    {
        Line(md, harness ? "| check | outcome | checks the harness's | time |" : "| check | outcome | configurations | budget | time | effort |");
        Line(md, harness ? "|---|---|---|---|" : "|---|---|---|---|---|---|");
        foreach (CheckEntry check in checks.OrderBy(c => c.Outcome == "failed" ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            string outcome = check.Outcome == "failed" ? "**FAILED**" : check.Outcome;
            if (harness)
                Line(md, $"| {Cell(check.Name)} | {outcome} | {Cell(check.Harness ?? "")} | {check.Seconds:0.00} s |");
            else
                Line(md, $"| {Cell(check.Name)} | {outcome} | {Cell(string.Join(", ", check.Configurations))} | {Cell(check.Budget)} | {check.Seconds:0.00} s | {Cell(check.Effort.Summary)} |");
            if (check.Outcome == "failed")
                Line(md, $"| ↳ {Cell(check.Message ?? "")}{(check.Replay is null ? "" : $" replay: `{Cell(check.Replay)}`")} | | | | | |");
        }
    }

    private static string Coverage(CoverageFigure c) => c.Line is null
        ? c.Status
        : string.Create(CultureInfo.InvariantCulture, $"line {c.Line:0.0#}%, branch {c.Branch:0.0#}% ({c.Status})");

    private static string Mutation(MutationFigure m) => m.Score is null
        ? m.Note
        : string.Create(CultureInfo.InvariantCulture, $"{m.Score:0.00}%, {m.Note}");

    private static string Counts(MutationFigure m) => m.Counts.Count == 0 ? "" : " Counts: " + string.Join(", ", m.Counts.Select(c => $"{c.Key} {c.Value:N0}")) + ".";

    private static string Status(string status) => status switch
    {
        LawStatus.Failed => "**FAILED**",
        LawStatus.NotChecked => "**NOT CHECKED**",
        _ => status,
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Inline(string text) => Cell(text).Replace("`", "'", StringComparison.Ordinal);

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
