using System.Globalization;
using System.Net;


namespace AreaMalloc.Certify.Report;

/// <summary>
/// report.html: one self-contained page (inline style, no script, nothing fetched) with the same content as report.md.
/// The verdict is <c>#verdict</c> (its <c>data-verdict</c> is report.json's verdict), the law table is <c>table#laws</c>
/// (one <c>tr.law</c> per law, with <c>data-law</c> and <c>data-status</c>) inside a <c>details</c>, and every appendix is a
/// <c>details</c> of its own.
/// </summary>
internal static class HtmlReport
{
    private const string Style = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
        h1 { margin-bottom: .2em; } h2 { margin-top: 1.6em; }
        .verdict { font-size: 1.3em; font-weight: bold; padding: .6em .9em; border-radius: 6px; }
        .certified { background: #e3f6e5; border: 2px solid #2e7d32; color: #1b5e20; }
        .not-certified { background: #fde8e8; border: 2px solid #c62828; color: #8e0000; }
        table { border-collapse: collapse; margin: .5em 0; width: 100%; }
        th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        tr.concern td { background: #eef2f8; font-weight: bold; }
        table#laws tr.law td:first-child { width: 45%; }
        .failed { color: #b71c1c; font-weight: bold; } .not-checked { color: #e65100; font-weight: bold; } .passed { color: #1b5e20; }
        .id, .src { color: #666; font-size: .85em; font-weight: normal; } code { font-size: .9em; background: #f6f6f6; padding: 0 .2em; }
        details { margin: .6em 0; } summary { cursor: pointer; font-weight: bold; font-size: 1.1em; }
        details details summary { font-size: 1em; font-weight: normal; }
        section.failures { border-left: 4px solid #c62828; padding-left: 1em; }
        pre { white-space: pre-wrap; font-size: .85em; background: #f8f8f8; padding: .5em; }
        """;

    /// <summary>The page of <paramref name="doc"/>.</summary>
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
        string verdict = doc.Passed ? "CERTIFIED" : "NOT CERTIFIED";
        var h = new TextBuilder();
        h.Add("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Add("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
         .Add($"<title>AreaMalloc certificate: {verdict}</title>\n<style>{Style}</style>\n</head>\n<body>\n")
         .Add("<h1>AreaMalloc certificate</h1>\n")
         .Add($"<p id=\"verdict\" class=\"verdict {(doc.Passed ? "certified" : "not-certified")}\" data-verdict=\"{E(doc.Verdict)}\">{verdict}: {E(doc.VerdictReasons[0])}</p>\n");
        if (doc.VerdictReasons.Count > 1)
            h.Add("<ul class=\"reasons\">").Add(string.Concat(doc.VerdictReasons.Skip(1).Select(r => $"<li>{E(r)}</li>"))).Add("</ul>\n");
        h.Add("<table id=\"run\">\n")
         .Add(Row("commit", $"<code>{E(doc.Run.Commit)}</code>{(doc.Run.Dirty ? " (with uncommitted changes)" : "")}"))
         .Add(Row("date", E(doc.Run.Date)))
         .Add(Row("machine", E($"{doc.Run.Machine.Cores} cores, {doc.Run.Machine.Memory}, {doc.Run.Machine.Os}, {doc.Run.Machine.Runtime}")))
         .Add(Row("budget", $"<code>AREAMALLOC_BUDGET={E(doc.Run.Budget)}</code> {E(string.Join(" ", doc.Run.Options))}"))
         .Add(Row("time", E(doc.Run.Duration)))
         .Add(Row("checks", E($"{doc.Counts.Checks:N0}: {doc.Counts.Passed:N0} passed, {doc.Counts.Failed:N0} failed, {doc.Counts.Skipped:N0} skipped ({doc.Counts.HarnessChecks:N0} harness self-checks, {doc.Counts.Unmapped:N0} unmapped)")))
         .Add(Row("laws", E($"{doc.Counts.Laws}: {doc.Counts.LawsPassed} passed, {doc.Counts.LawsFailed} failed, {doc.Counts.LawsNotChecked} not checked")))
         .Add(Row("exploration", E(doc.Exploration.Summary)))
         .Add(Row("coverage", E(Coverage(doc.Figures.Coverage))))
         .Add(Row("mutation", E(Mutation(doc.Figures.Mutation))))
         .Add("</table>\n");

        if (doc.Failures.Count > 0)
        {
            h.Add("<section id=\"failures\" class=\"failures\">\n");
            if (doc.FailedLaws.Count > 0)
            {
                h.Add($"<h2>Failed laws ({doc.FailedLaws.Count} of {doc.Counts.Laws})</h2>\n<table id=\"failed-laws\">\n<thead><tr><th>law</th><th>failed checks</th><th>first failure</th></tr></thead>\n<tbody>\n");
                foreach (FailedLawEntry law in doc.FailedLaws)
                    h.Add($"<tr data-law=\"{E(law.Id)}\"><td class=\"failed\">{E(law.Id)}<br><span class=\"src\">{E(law.Statement)}</span></td><td>{law.Failed} of {law.Checks}</td><td><code>{E(law.FirstCheck)}</code>: {E(law.FirstMessage)}</td></tr>\n");
                h.Add("</tbody>\n</table>\n");
            }
            h.Add($"<h2>Failed checks ({doc.Failures.Count})</h2>\n<ul>\n");
            foreach (FailureEntry f in doc.Failures)
            {
                h.Add($"<li><span class=\"failed\">{E(f.Laws.Count > 0 ? string.Join(", ", f.Laws) : f.Role)}</span>: <code>{E(f.Check)}</code> ({E(f.Stage)})<br>{E(f.Message)}")
                 .Add(f.Replay is null ? "" : $"<br>replay: <code>{E(f.Replay)}</code>")
                 .Add(f.Details is null ? "" : $"<details><summary>details</summary><pre>{E(f.Details)}</pre></details>")
                 .Add("</li>\n");
            }
            h.Add("</ul>\n</section>\n");
        }
        if (doc.Unmapped.Count > 0)
        {
            h.Add($"<p id=\"unmapped-note\" class=\"not-checked\">{doc.Unmapped.Count} unmapped checks (no law): {E(string.Join(", ", doc.Unmapped.Select(c => c.MapKey).Distinct(StringComparer.Ordinal)))}. {E(doc.UnmappedPolicy)}</p>\n");
        }

        h.Add($"<details id=\"law-table\" open>\n<summary>Laws: {doc.Counts.Laws} ({doc.Counts.LawsPassed} passed, {doc.Counts.LawsFailed} failed, {doc.Counts.LawsNotChecked} not checked)</summary>\n")
         .Add("<table id=\"laws\">\n<thead><tr><th>law</th><th>status</th><th>checks</th><th>configurations</th><th>effort</th></tr></thead>\n<tbody>\n");
        foreach (ConcernEntry concern in doc.Concerns)
        {
            h.Add($"<tr class=\"concern\" data-concern=\"{E(concern.Id)}\"><td colspan=\"5\">{E(concern.Title)}: <span class=\"{Css(concern.Status)}\">{E(concern.Status)}</span></td></tr>\n");
            foreach (LawEntry law in concern.Laws)
            {
                h.Add($"<tr class=\"law\" data-law=\"{E(law.Id)}\" data-status=\"{E(law.Status)}\">")
                 .Add($"<td>{E(law.Statement)}<br><span class=\"id\">{E(law.Id)}</span> <span class=\"src\">({E(law.Source)})</span></td>")
                 .Add($"<td class=\"{Css(law.Status)}\">{E(law.Status)}</td>")
                 .Add($"<td>{law.Checks}{(law.Failed > 0 ? $" (<span class=\"failed\">{law.Failed} failed</span>)" : "")}: {E(string.Join(", ", law.CheckGroups))}</td>")
                 .Add($"<td>{E(string.Join(", ", law.Configurations))}</td><td>{E(law.Effort.Summary)}</td></tr>\n");
            }
        }
        h.Add("</tbody>\n</table>\n</details>\n");

        h.Add("<h2>Exploration</h2>\n<table id=\"exploration\">\n")
         .Add(Row("checks of laws run", $"{doc.Exploration.Runs:N0}"))
         .Add(Row("command sequences (model-based, fault injection)", $"{doc.Exploration.Sequences:N0}"))
         .Add(Row("commands in them", $"{doc.Exploration.Commands:N0}"))
         .Add(Row("OS faults injected", $"{doc.Exploration.FaultsInjected:N0}"))
         .Add(Row("property cases (FsCheck)", $"{doc.Exploration.Cases:N0}"))
         .Add(Row("schedules (Coyote iterations)", $"{doc.Exploration.Schedules:N0}"))
         .Add(Row("real-thread operations (soak)", $"{doc.Exploration.Operations:N0}"))
         .Add("</table>\n");

        h.Add("<h2>Coverage and mutation</h2>\n<ul id=\"figures\">\n")
         .Add($"<li>coverage: {E(Coverage(doc.Figures.Coverage))}. {E(doc.Figures.Coverage.Note)}.</li>\n")
         .Add($"<li>mutation: {E(Mutation(doc.Figures.Mutation))}{E(doc.Figures.Mutation.Counts.Count == 0 ? "" : ". Counts: " + string.Join(", ", doc.Figures.Mutation.Counts.Select(c => $"{c.Key} {c.Value:N0}")))}</li>\n")
         .Add($"<li>bench: {E(doc.Figures.Bench.Ratios.Count == 0 ? doc.Figures.Bench.Note : string.Join("; ", doc.Figures.Bench.Ratios.Select(r => $"{r.Key} {r.Value}")))}</li>\n")
         .Add("</ul>\n");

        h.Add("<h2>Not certified</h2>\n<ul id=\"not-certified\">\n")
         .Add(string.Concat(doc.NotCertified.Select(l => $"<li><b>{E(l.What)}</b>: {E(l.Why)}</li>\n")))
         .Add("</ul>\n");

        h.Add("<h2>Stages</h2>\n<table id=\"stages\">\n<thead><tr><th>stage</th><th>checks</th><th>passed</th><th>failed</th><th>skipped</th><th>time</th></tr></thead>\n<tbody>\n")
         .Add(string.Concat(doc.Stages.Select(s => $"<tr><td>{E(s.Name)}</td><td>{s.Checks}</td><td>{s.Passed}</td><td>{s.Failed}</td><td>{s.Skipped}</td><td>{s.Seconds:0.0} s</td></tr>\n")))
         .Add("</tbody>\n</table>\n");

        h.Add($"<details id=\"appendix\">\n<summary>Appendix A: every check, by law ({doc.Checks.Count})</summary>\n");
        foreach (LawEntry law in doc.Concerns.SelectMany(c => c.Laws))
        {
            List<CheckEntry> checks = doc.Checks.Where(c => c.Laws.Contains(law.Id)).ToList();
            h.Add($"<details{(law.Status == LawStatus.Passed ? "" : " open")}><summary>{E(law.Id)}: <span class=\"{Css(law.Status)}\">{E(law.Status)}</span> ({checks.Count})</summary>\n");
            Checks(h, checks, harness: false);
            h.Add("</details>\n");
        }
        h.Add("</details>\n");
        h.Add($"<details id=\"harness\"{(doc.HarnessChecks.Any(c => c.Outcome == "failed") ? " open" : "")}>\n<summary>Appendix B: harness self-checks ({doc.HarnessChecks.Count})</summary>\n")
         .Add("<p>The harness checking itself: the budget, replay, Coyote's rewriting, the reference model, fail-fast mode, and the rule that the allocator's layers only look down. Not laws of the allocator; a failure fails the certificate all the same.</p>\n");
        Checks(h, doc.HarnessChecks, harness: true);
        h.Add("</details>\n");
        h.Add($"<details id=\"gates\">\n<summary>Appendix C: gates ({doc.Gates.Count})</summary>\n");
        Checks(h, doc.Gates, harness: false);
        h.Add("</details>\n");
        h.Add($"<details id=\"unmapped\"{(doc.Unmapped.Count > 0 ? " open" : "")}>\n<summary>Appendix D: unmapped checks ({doc.Unmapped.Count})</summary>\n<p>{E(doc.UnmappedPolicy)}</p>\n");
        if (doc.Unmapped.Count > 0)
            Checks(h, doc.Unmapped, harness: false);
        if (doc.StaleMapEntries.Count > 0)
            h.Add($"<p>Entries of the check map that matched no check of this run: {E(string.Join(", ", doc.StaleMapEntries))}.</p>\n");
        h.Add("</details>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Checks(TextBuilder h, IEnumerable<CheckEntry> checks, bool harness)
    {
        h.Add(harness
            ? "<table><thead><tr><th>check</th><th>outcome</th><th>checks the harness's</th><th>time</th></tr></thead>\n<tbody>\n"
            : "<table><thead><tr><th>check</th><th>outcome</th><th>configurations</th><th>budget</th><th>time</th><th>effort</th></tr></thead>\n<tbody>\n");
        foreach (CheckEntry c in checks.OrderBy(c => c.Outcome == "failed" ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            string outcome = $"<td class=\"{Css(c.Outcome)}\">{E(c.Outcome)}</td>";
            h.Add(harness
                ? $"<tr><td>{E(c.Name)}</td>{outcome}<td>{E(c.Harness ?? "")}</td><td>{c.Seconds:0.00} s</td></tr>\n"
                : $"<tr><td>{E(c.Name)}</td>{outcome}<td>{E(string.Join(", ", c.Configurations))}</td><td>{E(c.Budget)}</td><td>{c.Seconds:0.00} s</td><td>{E(c.Effort.Summary)}</td></tr>\n");
            if (c.Outcome == "failed")
                h.Add($"<tr><td colspan=\"{(harness ? 4 : 6)}\" class=\"failed\">{E(c.Message ?? "")}{(c.Replay is null ? "" : $"<br>replay: <code>{E(c.Replay)}</code>")}</td></tr>\n");
        }
        h.Add("</tbody></table>\n");
    }

    private static string Row(string key, string valueHtml) => $"<tr><th>{E(key)}</th><td>{valueHtml}</td></tr>\n";

    private static string Coverage(CoverageFigure c) => c.Line is null ? c.Status : $"line {c.Line:0.0#}%, branch {c.Branch:0.0#}% ({c.Status})";

    private static string Mutation(MutationFigure m) => m.Score is null ? m.Note : $"{m.Score:0.00}%, {m.Note}";

    private static string Css(string status) => status.Replace(' ', '-');

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
