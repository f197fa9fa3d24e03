using System.Text.RegularExpressions;
using AreaMalloc.MutationGate;

namespace AreaMalloc.Certify.Tests;

/// <summary>The incremental mutation gate (mutation-config/Gate): what it reruns, how it merges and when it fails.</summary>
public sealed class MutationGateFacts
{
    private static readonly IReadOnlyList<Regex> Globs = [Inputs.Glob("**/Slabs/**/*.cs"), Inputs.Glob("**/Pool/**/*.cs")];

    private static Mutant M(string status, int line, int[] killedBy, int[]? coveredBy, string mutator = "Equality", string replacement = "a <= b", string? text = null) =>
        new($"{line}", mutator, replacement, status, line, 5, line, 20, killedBy, coveredBy, status is "Survived" or "NoCoverage" ? text ?? $"line {line}" : null);

    /// <summary>Two mutated files, a test file per file, a shared test kit file.</summary>
    private static Baseline Sample() => new("abc", "2026-12-08", new(StringComparer.Ordinal)
    {
        ["allocator/Slabs/SlabHeap.cs"] = "h1",
        ["allocator/Pool/PoolCore.cs"] = "h2",
        ["allocator/Format/Granule.cs"] = "h3",
        ["properties/Slabs/SlabFacts.cs"] = "t1",
        ["properties/Pool/PoolFacts.cs"] = "t2",
        ["properties/Support/Helpers.cs"] = "t3",
        ["testkit/Generators.cs"] = "k1",
    },
    [new TestCase("AreaMalloc.Properties.Slabs.SlabFacts.Frees_are_counted", "properties/Slabs/SlabFacts.cs"),
     new TestCase("AreaMalloc.Properties.Pool.PoolFacts.Malloc_works(size: 8)", "properties/Pool/PoolFacts.cs")],
    new(StringComparer.Ordinal)
    {
        ["allocator/Slabs/SlabHeap.cs"] = [M("Killed", 10, [0], [0]), M("Survived", 12, [], [0]), M("Timeout", 14, [], [0])],
        ["allocator/Pool/PoolCore.cs"] = [M("Killed", 20, [1], [1]), M("Killed", 21, [1], [0, 1]), M("Ignored", 22, [], null)],
    });

    private static Dictionary<string, string> Same(Baseline b) => new(b.Hashes, StringComparer.Ordinal);

    private static IReadOnlySet<string> NoClasses(string path) => new HashSet<string>();

    [Fact]
    public void The_blob_id_is_gits_hash_object_of_the_content()
    {
        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a", BlobHash.Of("hello\n"u8));
        Assert.Equal("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", BlobHash.Of([]));
    }

    [Theory]
    [InlineData("**/Slabs/**/*.cs", "Slabs/SlabHeap.cs", true)]
    [InlineData("**/Slabs/**/*.cs", "Slabs/Classes/SizeClasses.cs", true)]
    [InlineData("**/Module/**/*.cs", "BeModule/Loader.cs", false)]
    [InlineData("**/Slabs/SlabHeap.cs", "Slabs/SlabHeap.cs", true)]
    [InlineData("**/Slabs/SlabHeap.cs", "Slabs/SlabHeapX.cs", false)]
    public void A_mutate_glob_matches_allocator_relative_paths_as_Stryker_does(string glob, string path, bool matches) =>
        Assert.Equal(matches, Inputs.Glob(glob).IsMatch(path));

    [Fact]
    public void An_unchanged_tree_reruns_nothing_and_the_merge_is_the_baseline()
    {
        Baseline b = Sample();
        Plan plan = Plan.Make(b, Same(b), Globs, NoClasses);
        Assert.True(plan.RunsNothing);
        Verdict v = Verdict.Judge(b, plan, null, Same(b), Globs, 50, 60, incremental: true);
        Assert.True(v.Passed, string.Join("; ", v.Failures));
        Assert.Equal((5, 0), (v.FromBaseline, v.Rerun));
        Assert.Equal(80, v.Score, 6);
    }

    [Fact]
    public void A_changed_allocator_file_is_rerun_alone()
    {
        Baseline b = Sample();
        var now = Same(b);
        now["allocator/Slabs/SlabHeap.cs"] = "h1'";
        Plan plan = Plan.Make(b, now, Globs, NoClasses);
        Assert.False(plan.All);
        Assert.Equal(["allocator/Slabs/SlabHeap.cs"], plan.Rerun.Keys);
        Assert.Equal(["**/Slabs/SlabHeap.cs"], plan.MutateGlobs());
    }

    [Fact]
    public void A_changed_test_file_reruns_the_files_its_tests_covered_or_killed()
    {
        Baseline b = Sample();
        var now = Same(b);
        now["properties/Slabs/SlabFacts.cs"] = "t1'";
        Plan plan = Plan.Make(b, now, Globs, NoClasses);
        // SlabFacts (test 0) covers SlabHeap's mutants and PoolCore's line 21.
        Assert.Equal(["allocator/Pool/PoolCore.cs", "allocator/Slabs/SlabHeap.cs"], plan.Rerun.Keys);
        now = Same(b);
        now["properties/Pool/PoolFacts.cs"] = "t2'";
        Assert.Equal(["allocator/Pool/PoolCore.cs"], Plan.Make(b, now, Globs, NoClasses).Rerun.Keys);
    }

    [Fact]
    public void A_test_moved_to_a_new_file_is_found_by_its_class()
    {
        Baseline b = Sample();
        var now = Same(b);
        now.Remove("properties/Pool/PoolFacts.cs");
        now["properties/Pool/MallocFacts.cs"] = "t9";
        Plan plan = Plan.Make(b, now, Globs, p => p == "properties/Pool/MallocFacts.cs" ? new HashSet<string> { "PoolFacts" } : new HashSet<string>());
        Assert.Equal(["allocator/Pool/PoolCore.cs"], plan.Rerun.Keys);
    }

    [Theory]
    [InlineData("testkit/Generators.cs")]
    [InlineData("properties/Support/Helpers.cs")]
    [InlineData("stryker-config.json")]
    public void A_changed_shared_input_reruns_everything_and_says_why(string path)
    {
        Baseline b = Sample();
        var now = Same(b);
        now[path] = "changed";
        Plan plan = Plan.Make(b, now, Globs, NoClasses);
        Assert.True(plan.All);
        Assert.Contains(plan.AllReasons, r => r.StartsWith(path, StringComparison.Ordinal));
    }

    [Fact]
    public void A_new_test_file_or_a_change_in_an_unmutated_folder_reruns_nothing_but_is_noted()
    {
        Baseline b = Sample();
        var now = Same(b);
        now["properties/Slabs/NewFacts.cs"] = "n";
        now["allocator/Format/Granule.cs"] = "h3'";
        Plan plan = Plan.Make(b, now, Globs, NoClasses);
        Assert.True(plan.RunsNothing);
        Assert.Equal(2, plan.Notes.Count);
        Assert.Contains(plan.Notes, n => n.Contains("no component mutates it", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mutated_file_that_differs_from_the_baseline_and_was_not_rerun_fails_the_gate_by_name()
    {
        Baseline b = Sample();
        var now = Same(b);
        now["allocator/Pool/PoolCore.cs"] = "h2'";
        Plan nothing = new(false, [], new(StringComparer.Ordinal), [], []);
        Verdict v = Verdict.Judge(b, nothing, null, now, Globs, 50, 60, incremental: true);
        Assert.False(v.Passed);
        Assert.Equal(["allocator/Pool/PoolCore.cs"], v.Stale);
        Assert.Contains(v.Failures, f => f.Contains("allocator/Pool/PoolCore.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void The_rerun_replaces_the_baselines_mutants_of_its_files_and_the_score_is_the_whole_allocators()
    {
        Baseline b = Sample();
        var now = Same(b);
        now["allocator/Slabs/SlabHeap.cs"] = "h1'";
        Plan plan = Plan.Make(b, now, Globs, NoClasses);
        // The survivor moved from line 12 to 30 (same mutator, replacement, source text): explained, not new.
        var rerun = new StrykerReport(new(StringComparer.Ordinal)
        {
            ["allocator/Slabs/SlabHeap.cs"] = [M("Killed", 10, [0], [0]), M("Survived", 30, [], [0], text: "line 12"), M("Killed", 31, [0], [0])],
        }, [new TestCase("SlabFacts.X", null)]);
        Verdict v = Verdict.Judge(b, plan, rerun, now, Globs, 50, 60, incremental: true);
        Assert.True(v.Passed, string.Join("; ", v.Failures));
        Assert.Empty(v.NewSurvivors);
        Assert.Equal((2, 3), (v.FromBaseline, v.Rerun));
        Assert.Equal(80, v.Score, 6);
    }

    [Fact]
    public void A_new_survivor_in_a_rerun_file_fails_the_incremental_gate_naming_place_mutator_and_replacement()
    {
        Baseline b = Sample();
        var now = Same(b);
        now["properties/Pool/PoolFacts.cs"] = "t2'";
        Plan plan = Plan.Make(b, now, Globs, NoClasses);
        var rerun = new StrykerReport(new(StringComparer.Ordinal)
        {
            ["allocator/Pool/PoolCore.cs"] = [M("Survived", 20, [], [1], "Arithmetic", "a - b", "return a + b;"), M("Killed", 21, [0], [0, 1])],
        }, []);
        Verdict v = Verdict.Judge(b, plan, rerun, now, Globs, 50, 60, incremental: true);
        Assert.False(v.Passed);
        NewSurvivor s = Assert.Single(v.NewSurvivors);
        Assert.Equal("allocator/Pool/PoolCore.cs:20 Arithmetic -> `a - b` (Survived): return a + b;", s.ToString());
        // The full gate lists it but judges only the thresholds.
        Verdict full = Verdict.Judge(b, plan, rerun, now, Globs, 50, 60, incremental: false);
        Assert.True(full.Passed, string.Join("; ", full.Failures));
        Assert.Single(full.NewSurvivors);
    }

    [Fact]
    public void A_merged_score_below_the_floor_or_the_break_threshold_fails_with_both_figures()
    {
        Baseline b = Sample();
        Plan plan = Plan.Make(b, Same(b), Globs, NoClasses);
        Verdict v = Verdict.Judge(b, plan, null, Same(b), Globs, 85, 98.7, incremental: true);
        Assert.Equal(2, v.Failures.Count);
        Assert.Contains(v.Failures, f => f.Contains("80.00%", StringComparison.Ordinal) && f.Contains("85.00%", StringComparison.Ordinal));
        Assert.Contains(v.Failures, f => f.Contains("98.70%", StringComparison.Ordinal) && f.Contains("floor", StringComparison.Ordinal));
    }

    [Fact]
    public void A_baseline_survives_writing_and_reading_and_carries_the_certificates_figures()
    {
        Baseline b = Sample();
        string json = b.ToJson();
        Baseline back = Baseline.Parse("baseline.json", json);
        Assert.Equal(b.Hashes, back.Hashes);
        Assert.Equal(b.Tests, back.Tests);
        Assert.Equal(b.Files.Keys, back.Files.Keys);
        foreach ((string file, List<Mutant> mutants) in b.Files)
        {
            Assert.Equal(mutants.Select(m => (m.Id, m.Status, m.Line, m.Signature, string.Join(',', m.KilledBy), m.CoveredBy is null ? "all" : string.Join(',', m.CoveredBy))),
                back.Files[file].Select(m => (m.Id, m.Status, m.Line, m.Signature, string.Join(',', m.KilledBy), m.CoveredBy is null ? "all" : string.Join(',', m.CoveredBy))));
        }
        // The certificate reads commit, date, score and counts from the same file.
        var certified = AreaMalloc.Certify.Report.MutationBaseline.Parse("baseline.json", json)!;
        Assert.Equal(("abc", "2026-12-08", 80.0), (certified.Commit!, certified.Date!, certified.Score));
        Assert.Equal(3, certified.Counts["killed"]);
    }

    [Fact]
    public void A_file_that_is_not_a_baseline_is_refused_with_its_path()
    {
        var refused = Assert.Throws<InvalidDataException>(() => Baseline.Parse("mutation-config/baseline/baseline.json", """{ "score": 99 }"""));
        Assert.Contains("mutation-config/baseline/baseline.json", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => Baseline.Load(Path.Combine(SyntheticCampaign.TempFolder(), "absent.json")));
    }

    [Fact]
    public void A_Stryker_report_is_read_with_repository_relative_paths_tests_and_coverage()
    {
        string folder = SyntheticCampaign.TempFolder();
        string report = Path.Combine(folder, "mutation-report.json");
        File.WriteAllText(report, $$"""
        { "schemaVersion": "2", "projectRoot": "{{folder}}/allocator",
          "files": { "{{folder}}/allocator/Slabs/SlabHeap.cs": { "language": "cs", "source": "a\n  if (x < y)\nb",
            "mutants": [ { "id": "7", "mutatorName": "Equality", "replacement": "x <= y", "status": "Survived",
                           "location": { "start": { "line": 2, "column": 7 }, "end": { "line": 2, "column": 12 } }, "coveredBy": ["t1"] },
                         { "id": "8", "mutatorName": "Statement", "replacement": ";", "status": "Killed",
                           "location": { "start": { "line": 3, "column": 1 }, "end": { "line": 3, "column": 2 } }, "killedBy": ["t1"] } ] } },
          "testFiles": { "{{folder}}/properties/Slabs/SlabFacts.cs": { "tests": [ { "id": "t1", "name": "Ns.SlabFacts.Frees_are_counted" } ] } } }
        """);
        StrykerReport read = StrykerReport.Read(report, folder, new Dictionary<string, List<string>>());
        Mutant survivor = read.Files["allocator/Slabs/SlabHeap.cs"][0];
        Assert.Equal(("Survived", 2, "if (x < y)"), (survivor.Status, survivor.Line, survivor.Text!));
        Assert.Equal([0], survivor.CoveredBy!);
        Assert.Null(read.Files["allocator/Slabs/SlabHeap.cs"][1].CoveredBy);
        Assert.Equal(new TestCase("Ns.SlabFacts.Frees_are_counted", "properties/Slabs/SlabFacts.cs"), Assert.Single(read.Tests));
        Assert.Throws<InvalidDataException>(() => StrykerReport.Read(Path.Combine(folder, "none.json"), folder, new Dictionary<string, List<string>>()));
    }

    [Theory]
    [InlineData("AreaMalloc.Properties.Slabs.SlabFacts.Frees_are_counted", "SlabFacts")]
    [InlineData("Ns.PoolFacts.Malloc_works(size: 8, name: \"a.b\")", "PoolFacts")]
    [InlineData("Ns.Outer+Inner.Test", "Inner")]
    [InlineData("NoDots", null)]
    public void A_tests_class_is_the_part_before_its_method(string name, string? cls) =>
        Assert.Equal(cls, TestClasses.ClassOf(name));
}
