using AreaMalloc.TestKit.Settings;
using AreaMalloc.Properties.Runner;
namespace AreaMalloc.Properties.Harness;

/// <summary>The budget setting, replay seeds and the catalog behave as the failure messages promise.</summary>
[Expensive(2)]
public sealed class InfrastructureTests
{
    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("", 1.0)]
    [InlineData("ci", 1.0)]
    [InlineData("CERTIFICATION", Budget.CertificationMultiplier)]
    [InlineData("2.5", 2.5)]
    public void A_budget_setting_names_a_multiple_of_the_CI_budget(string? text, double multiplier) =>
        Assert.Equal(multiplier, Budget.Parse(text).Multiplier);

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("certify")]
    [InlineData("NaN")]
    public void A_budget_typo_is_an_error_not_a_silent_CI_run(string text) =>
        Assert.Throws<ArgumentException>(() => Budget.Parse(text));

    [Fact]
    public void The_certification_budget_runs_at_least_100_times_the_CI_sequences()
    {
        Assert.True(Budget.Certification.ModelSequences >= 100 * Budget.Ci.ModelSequences);
        Assert.True(Budget.Certification.Cases >= 100 * Budget.Ci.Cases);
        Assert.True(Budget.Certification.MaxCommands >= Budget.Ci.MaxCommands);
    }

    [Theory]
    [InlineData("(123,457)", 123UL, 457UL, null)]
    [InlineData(" 123 , 457 ", 123UL, 457UL, null)]
    [InlineData("(18446744073709551615,1,60)", ulong.MaxValue, 1UL, 60)]
    public void A_replay_seed_reads_as_FsCheck_prints_it(string text, ulong seed, ulong gamma, int? size)
    {
        ReplaySeed parsed = ReplaySeed.Parse(text);
        Assert.Equal(new ReplaySeed(seed, gamma, size), parsed);
        Assert.Equal(parsed, ReplaySeed.Parse(parsed.ToString()));
    }

    [Fact]
    public void The_catalog_runs_every_budgeted_property_outside_xunit()
    {
        IReadOnlyList<PlainPropertyOutcome> outcomes = PlainPropertyCatalog.CheckAll(new Budget("smoke", 0.05));
        Assert.True(outcomes.Count >= 15, $"only {outcomes.Count} properties found");
        Assert.All(outcomes, o => Assert.True(o.Passed, o.Failure));
    }

    [Fact]
    public void The_mutation_probe_reports_a_coverage_run_or_a_mutant_only_for_a_Stryker_build()
    {
        // A coverage run or an active mutant implies a mutated build; an unmutated build describes itself as such.
        Assert.True(!MutationProbe.CapturingCoverage || MutationProbe.IsMutatedBuild, "coverage is recorded but the allocator is not a Stryker build");
        Assert.Equal(MutationProbe.IsMutatedBuild ? "Stryker mutant " + MutationProbe.ActiveMutant : "unmutated allocator", MutationProbe.Describe());
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(MutationProbe.ControlVariable)))
            Assert.Equal("none", MutationProbe.ActiveMutant);
    }
}
