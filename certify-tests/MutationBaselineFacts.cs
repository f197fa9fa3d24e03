using AreaMalloc.Certify.Report;

namespace AreaMalloc.Certify.Tests;

/// <summary>Reading the recorded full mutation run (mutation-config/baseline/).</summary>
public sealed class MutationBaselineFacts
{
    [Fact]
    public void Counts_are_read_from_a_counts_object_or_beside_the_score()
    {
        MutationBaseline nested = MutationBaseline.Parse("a.json", """{ "commit": "abc", "date": "2026-12-01", "score": "98.5%", "counts": { "killed": 10, "survived": 2 } }""")!;
        Assert.Equal((98.5, "abc", "2026-12-01"), (nested.Score, nested.Commit!, nested.Date!));
        Assert.Equal(new Dictionary<string, long> { ["killed"] = 10, ["survived"] = 2 }, nested.Counts);
        MutationBaseline flat = MutationBaseline.Parse("b.json", """{ "score": 97, "killed": 5, "timeout": 1 }""")!;
        Assert.Equal(new Dictionary<string, long> { ["killed"] = 5, ["timeout"] = 1 }, flat.Counts);
        Assert.Null(flat.Commit);
    }

    [Fact]
    public void A_file_without_a_score_is_no_baseline_and_a_missing_folder_neither()
    {
        Assert.Null(MutationBaseline.Parse("c.json", """{ "commit": "abc" }"""));
        Assert.Null(MutationBaseline.Find(Path.Combine(SyntheticCampaign.TempFolder(), "absent")));
    }

    [Fact]
    public void The_first_file_with_a_score_in_the_folder_is_the_baseline()
    {
        string folder = SyntheticCampaign.TempFolder();
        File.WriteAllText(Path.Combine(folder, "a-notes.json"), """{ "about": "no score here" }""");
        File.WriteAllText(Path.Combine(folder, "b-summary.json"), """{ "commit": "def", "score": 99.1 }""");
        Assert.Equal("def", MutationBaseline.Find(folder)!.Commit);
    }

    [Fact]
    public void A_baseline_that_is_not_json_is_refused_with_its_path()
    {
        var refused = Assert.Throws<InvalidDataException>(() => MutationBaseline.Parse("mutation-config/baseline/x.json", "{ not json"));
        Assert.Contains("mutation-config/baseline/x.json", refused.Message, StringComparison.Ordinal);
    }
}
