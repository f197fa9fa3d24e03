using System.Text.Json;
using AreaMalloc.Certify.Campaign;
using AreaMalloc.Certify.Laws;
using AreaMalloc.Certify.Report;

namespace AreaMalloc.Certify.Tests;

/// <summary>The certificate's verdict, its law table, failures first, unmapped checks, and report.json against its schema.</summary>
public sealed class CertificateFacts
{
    private const string CallocLaw = "semantics.calloc";

    [Fact]
    public void A_campaign_whose_every_check_passed_and_served_every_law_is_certified()
    {
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        Assert.True(doc.Passed, string.Join("; ", doc.VerdictReasons));
        Assert.Empty(doc.Failures);
        Assert.Empty(doc.Unmapped);
        Assert.Equal(LawCatalog.All.Count, doc.Counts.Laws);
        Assert.All(doc.Concerns.SelectMany(c => c.Laws), law => Assert.Equal(LawStatus.Passed, law.Status));
        Assert.Equal(LawCatalog.Concerns.Select(c => c.Id), doc.Concerns.Select(c => c.Id));
    }

    [Fact]
    public void The_campaigns_report_json_matches_the_schema_committed_in_the_repository()
    {
        string folder = SyntheticCampaign.TempFolder();
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        CertificateFiles.Write(doc, folder);
        IReadOnlyList<string> errors = ReportSchema.Validate(File.ReadAllText(Path.Combine(folder, "report.json")));
        Assert.True(errors.Count == 0, "report.json does not match the schema:\n" + string.Join("\n", errors));

        List<CheckResult> failing = SyntheticCampaign.Checks();
        failing.Add(SyntheticCampaign.Test("CallocFacts", "Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks", Outcome.Failed,
            "Assert.Equal() Failure: expected 0, actual 0xDE at byte 17"));
        failing.Add(SyntheticCampaign.Test("BrandNewFacts", "A_law_nobody_mapped"));
        CertificateFiles.Write(SyntheticCampaign.Certificate(failing), folder);
        errors = ReportSchema.Validate(File.ReadAllText(Path.Combine(folder, "report.json")));
        Assert.True(errors.Count == 0, "report.json of a failed campaign does not match the schema:\n" + string.Join("\n", errors));
    }

    [Fact]
    public void The_schema_the_program_embeds_is_the_file_committed_in_the_repository()
    {
        string file = Path.Combine(RepositoryRoot(), "certify", "report.schema.json");
        Assert.Equal(File.ReadAllText(file), ReportSchema.Text);
    }

    [Theory]
    [InlineData("verdict", "\"maybe\"")]
    [InlineData("schemaVersion", "2")]
    [InlineData("concerns", "[]")]
    [InlineData("failures", "{}")]
    public void A_report_json_that_breaks_the_schema_is_refused_with_its_location(string property, string value)
    {
        string json = JsonReport.Render(SyntheticCampaign.Certificate(SyntheticCampaign.Checks()));
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node[property] = System.Text.Json.Nodes.JsonNode.Parse(value);
        IReadOnlyList<string> errors = ReportSchema.Validate(node.ToJsonString());
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void A_report_json_without_a_required_property_is_refused()
    {
        string json = JsonReport.Render(SyntheticCampaign.Certificate(SyntheticCampaign.Checks()));
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("notCertified");
        Assert.NotEmpty(ReportSchema.Validate(node.ToJsonString()));
    }

    [Fact]
    public void A_failed_check_fails_the_certificate_and_its_law_comes_first_in_all_three_reports()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks();
        checks.Add(SyntheticCampaign.Test("CallocFacts", "Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks", Outcome.Failed,
            "Assert.Equal() Failure: expected 0, actual 0xDE at byte 17\n   at AreaMalloc.Properties.Facts.CallocFacts.Calloc_returns()"));
        CertificateDocument doc = SyntheticCampaign.Certificate(checks);

        Assert.False(doc.Passed);
        Assert.Contains(CallocLaw, doc.VerdictReasons[0], StringComparison.Ordinal);
        FailureEntry first = Assert.Single(doc.Failures);
        Assert.Equal([CallocLaw], first.Laws);
        Assert.Equal("Assert.Equal() Failure: expected 0, actual 0xDE at byte 17", first.Message);
        Assert.Contains("FullyQualifiedName=", first.Replay, StringComparison.Ordinal);
        Assert.Equal(LawStatus.Failed, doc.Concerns.SelectMany(c => c.Laws).Single(l => l.Id == CallocLaw).Status);

        FailedLawEntry broken = Assert.Single(doc.FailedLaws);
        Assert.Equal((CallocLaw, 1), (broken.Id, broken.Failed));
        Assert.Equal("CallocFacts.Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks", broken.FirstCheck);

        string md = MarkdownReport.Render(doc);
        Assert.StartsWith("# AreaMalloc certificate: NOT CERTIFIED", md, StringComparison.Ordinal);
        int failedLaws = md.IndexOf("## Failed laws (1 of ", StringComparison.Ordinal);
        int failures = md.IndexOf("## Failed checks (1)", StringComparison.Ordinal), laws = md.IndexOf("## Laws", StringComparison.Ordinal);
        Assert.InRange(failedLaws, 0, failures);
        Assert.InRange(failures, 0, laws);
        Assert.Contains($"| `{CallocLaw}`: calloc returns zeroed memory", md[failedLaws..failures], StringComparison.Ordinal);
        Assert.Contains($"- **{CallocLaw}**: `CallocFacts.Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks`", md[failures..laws], StringComparison.Ordinal);

        string html = HtmlReport.Render(doc);
        int section = html.IndexOf("id=\"failures\"", StringComparison.Ordinal), table = html.IndexOf("id=\"laws\"", StringComparison.Ordinal);
        Assert.InRange(section, 0, table);
        Assert.Contains($"<tr data-law=\"{CallocLaw}\">", html[section..table], StringComparison.Ordinal);
        Assert.Contains("data-verdict=\"not certified\"", html, StringComparison.Ordinal);

        using JsonDocument json = JsonDocument.Parse(JsonReport.Render(doc));
        string[] order = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.True(Array.IndexOf(order, "failedLaws") < Array.IndexOf(order, "concerns"), "failed laws come before the law table in report.json");
        Assert.True(Array.IndexOf(order, "failures") < Array.IndexOf(order, "concerns"), "failures come before the law table in report.json");
        Assert.Equal(CallocLaw, json.RootElement.GetProperty("failedLaws")[0].GetProperty("id").GetString());
        Assert.Equal(CallocLaw, json.RootElement.GetProperty("failures")[0].GetProperty("laws")[0].GetString());
    }

    [Fact]
    public void Failures_are_listed_in_the_law_tables_order_then_harness_then_gates()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks();
        checks.Add(SyntheticCampaign.Test("BudgetFacts", "Every_budget_runs_at_least_one_iteration", Outcome.Failed, "harness broke"));
        checks.Add(SyntheticCampaign.Test("OverflowFacts", "An_off_by_one_write_past_a_large_block_is_found_by_the_check_word", Outcome.Failed, "hardening broke"));
        checks.Add(SyntheticCampaign.Test("AreaFacts", "No_lock_maps_lazily_without_locking", Outcome.Failed, "areas broke"));
        checks.Add(SyntheticCampaign.Test("ModelBasedProperties", "Every_command_sequence_agrees_with_the_model", Outcome.Failed, "model broke"));
        CertificateDocument doc = SyntheticCampaign.Certificate(checks);
        // The model-based property serves pools.delete too, but is listed under its first law, semantics.model.
        Assert.Equal(["areas.create-area", "semantics.model", "hardening.overflow", "harness"],
            doc.Failures.Select(f => f.Laws.Count > 0 ? f.Laws[0] : f.Role));
        Assert.Equal(["areas.create-area", "pools.delete", "semantics.model", "misuse.refused", "module.last-put", "hardening.overflow"],
            doc.FailedLaws.Select(l => l.Id));
        Assert.Equal("ModelBasedProperties.Every_command_sequence_agrees_with_the_model", doc.FailedLaws.Single(l => l.Id == "pools.delete").FirstCheck);
    }

    [Fact]
    public void A_check_whose_class_is_not_in_the_map_is_reported_unmapped_and_does_not_change_the_verdict()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks();
        checks.Add(SyntheticCampaign.Test("BrandNewFacts", "A_law_nobody_mapped_yet"));
        CertificateDocument doc = SyntheticCampaign.Certificate(checks);
        Assert.True(doc.Passed);
        CheckEntry unmapped = Assert.Single(doc.Unmapped);
        Assert.Equal("BrandNewFacts", unmapped.MapKey);
        Assert.Equal("unmapped", unmapped.Role);
        Assert.Contains(doc.VerdictReasons, r => r.Contains("unmapped", StringComparison.Ordinal) && r.Contains("BrandNewFacts", StringComparison.Ordinal));
        string md = MarkdownReport.Render(doc);
        Assert.InRange(md.IndexOf("unmapped checks** (no law", StringComparison.Ordinal), 0, md.IndexOf("## Laws", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_unmapped_check_fails_the_certificate()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks();
        checks.Add(SyntheticCampaign.Test("BrandNewFacts", "A_law_nobody_mapped_yet", Outcome.Failed, "it broke"));
        CertificateDocument doc = SyntheticCampaign.Certificate(checks);
        Assert.False(doc.Passed);
        Assert.Equal("unmapped", Assert.Single(doc.Failures).Role);
    }

    [Fact]
    public void A_law_that_no_check_served_is_not_checked_and_the_certificate_is_not_given()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks()
            .Where(c => c.TestClass is null || !CheckMap.Classify(c.TestClass, c.TestMethod!).Laws.Any(l => l.Id == "pools.ids"))
            .ToList();
        CertificateDocument doc = SyntheticCampaign.Certificate(checks);
        Assert.False(doc.Passed);
        Assert.Equal(LawStatus.NotChecked, doc.Concerns.SelectMany(c => c.Laws).Single(l => l.Id == "pools.ids").Status);
        Assert.Contains(doc.VerdictReasons, r => r.Contains("pools.ids", StringComparison.Ordinal));
        Assert.Contains(doc.NotCertified, l => l.What == "Law pools.ids");
    }

    [Fact]
    public void A_laws_row_gives_its_checks_configurations_and_effort()
    {
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        LawEntry model = doc.Concerns.SelectMany(c => c.Laws).Single(l => l.Id == "semantics.model");
        Assert.Equal(["plain", "hardened (poison)", "caching (magazines)"], model.Configurations);
        Assert.Equal(300, model.Effort.Sequences);
        Assert.Equal(9179, model.Effort.Commands);
        Assert.Contains(model.CheckGroups, g => g.StartsWith("ModelBasedProperties (", StringComparison.Ordinal));
        LawEntry magazines = doc.Concerns.SelectMany(c => c.Laws).Single(l => l.Id == "concurrency.magazines");
        Assert.Equal(200, magazines.Effort.Schedules);
        Assert.Equal(200, doc.Concerns.SelectMany(c => c.Laws).Single(l => l.Id == "semantics.malloc").Effort.Cases);
        Assert.Equal(doc.Checks.Sum(c => c.Effort.Sequences), doc.Exploration.Sequences);
    }

    [Fact]
    public void The_first_screen_of_report_md_is_the_verdict_the_run_and_the_law_table()
    {
        string md = MarkdownReport.Render(SyntheticCampaign.Certificate(SyntheticCampaign.Checks()));
        string[] lines = md.Split('\n');
        Assert.Equal("# AreaMalloc certificate: CERTIFIED", lines[0]);
        string head = string.Join('\n', lines.Take(20));
        foreach (string row in new[] { "| **verdict** | **CERTIFIED**", "| commit |", "| date |", "| machine |", "| budget |", "| time |", "| mutation |" })
            Assert.Contains(row, head, StringComparison.Ordinal);
        Assert.InRange(Array.IndexOf(lines, "## Laws"), 1, 25);
        Assert.True(md.IndexOf("## Appendix A", StringComparison.Ordinal) > md.IndexOf("## Not certified", StringComparison.Ordinal));
        Assert.Contains("## Appendix B: harness self-checks", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Harness_self_checks_and_gates_are_kept_apart_from_the_laws()
    {
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        Assert.Contains(doc.HarnessChecks, c => c.TestClass == "BudgetFacts");
        Assert.Contains(doc.HarnessChecks, c => c.TestClass == "FailFastTests");
        Assert.DoesNotContain(doc.Checks, c => c.TestClass is "BudgetFacts" or "RewritingSmokeTests" or "InfrastructureTests");
        Assert.Equal(["build", "coverage"], doc.Gates.Select(g => g.Stage));
    }

    [Fact]
    public void Without_a_mutation_run_the_score_is_the_recorded_baselines_and_says_it_was_not_rerun()
    {
        var baseline = MutationBaseline.Parse("baseline.json",
            """{ "commit": "b7eb639", "date": "2026-11-28", "score": 98.79, "counts": { "killed": 1950, "survived": 24 } }""");
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks(), baseline);
        Assert.Equal("baseline", doc.Figures.Mutation.Source);
        Assert.False(doc.Figures.Mutation.Rerun);
        Assert.Equal(98.79, doc.Figures.Mutation.Score);
        Assert.Equal("b7eb639", doc.Figures.Mutation.Commit);
        Assert.Equal(1950, doc.Figures.Mutation.Counts["killed"]);
        Assert.StartsWith("not rerun", doc.Figures.Mutation.Note, StringComparison.Ordinal);
        Assert.Contains("| mutation | 98.79%, not rerun", MarkdownReport.Render(doc), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_mutation_run_or_a_baseline_the_certificate_says_no_full_run_is_recorded()
    {
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        Assert.Equal("none", doc.Figures.Mutation.Source);
        Assert.Null(doc.Figures.Mutation.Score);
        Assert.Contains("no full mutation run recorded", doc.Figures.Mutation.Note, StringComparison.Ordinal);
        Assert.Contains(doc.NotCertified, l => l.What == "Mutation score");
    }

    [Fact]
    public void A_mutation_run_in_the_campaign_gives_the_score_of_this_run()
    {
        List<CheckResult> checks = SyntheticCampaign.Checks();
        checks.Add(new CheckResult("mutation", "Stryker mutation score of the allocator meets the break threshold", "CI budget", Outcome.Passed,
            TimeSpan.FromMinutes(40), new Dictionary<string, string> { ["score"] = "98.80%" }, "bash .ci/mutation-gate", null));
        CertificateDocument doc = SyntheticCampaign.Certificate(checks, MutationBaseline.Parse("b.json", """{ "score": 90 }"""));
        Assert.Equal("this run", doc.Figures.Mutation.Source);
        Assert.True(doc.Figures.Mutation.Rerun);
        Assert.Equal(98.80, doc.Figures.Mutation.Score);
    }

    [Fact]
    public void What_is_not_certified_names_the_be_book_race_and_weak_memory_ordering()
    {
        CertificateDocument doc = SyntheticCampaign.Certificate(SyntheticCampaign.Checks());
        Assert.Contains(doc.NotCertified, l => l.What.Contains("delete_pool race", StringComparison.Ordinal) && l.Why.Contains("not certified absent", StringComparison.Ordinal));
        Assert.Contains(doc.NotCertified, l => l.What == "Weak memory ordering");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AreaMalloc.Verify.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("AreaMalloc.Verify.sln not found above " + AppContext.BaseDirectory);
    }
}
