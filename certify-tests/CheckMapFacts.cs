using AreaMalloc.Certify.Laws;

namespace AreaMalloc.Certify.Tests;

/// <summary>The one table from test classes to laws.</summary>
public sealed class CheckMapFacts
{
    [Fact]
    public void Every_law_of_the_catalog_is_served_by_an_entry_of_the_map()
    {
        var served = CheckMap.Entries.SelectMany(e => e.LawIds).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(LawCatalog.All, law => !served.Contains(law.Id));
    }

    [Fact]
    public void Every_entry_names_laws_of_the_catalog_and_no_key_is_listed_twice()
    {
        foreach (CheckMap.Entry entry in CheckMap.Entries)
        {
            foreach (string law in entry.LawIds)
                LawCatalog.Get(law);
            Assert.True(entry.Harness is not null || (entry.LawIds.Length > 0 && entry.Configurations.Length > 0), $"{entry.Key} names no law");
        }
        Assert.DoesNotContain(CheckMap.Entries.GroupBy(e => e.Key), g => g.Count() > 1);
        Assert.Equal(LawCatalog.All.Count, LawCatalog.All.Select(l => l.Id).Distinct().Count());
    }

    [Fact]
    public void An_unknown_law_id_is_refused_with_its_name()
    {
        var refused = Assert.Throws<KeyNotFoundException>(() => LawCatalog.Get("semantics.nope"));
        Assert.Contains("semantics.nope", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CallocFacts")]
    [InlineData("AreaMalloc.Properties.Facts.CallocFacts")]
    [InlineData("AreaMalloc.Tests.Pool.Calloc.CallocFacts")]
    [InlineData("Outer+CallocFacts")]
    public void A_class_is_found_by_its_short_name_whatever_its_namespace(string className)
    {
        CheckMapping mapping = CheckMap.Classify(className, "Calloc_returns_zeroed_memory_even_when_reusing_dirty_blocks");
        Assert.Equal(CheckRole.Law, mapping.Role);
        Assert.Equal("CallocFacts", mapping.Key);
        Assert.Equal(["semantics.calloc"], mapping.Laws.Select(l => l.Id));
        Assert.Equal([PoolConfiguration.Plain], mapping.Configurations);
    }

    [Fact]
    public void The_longest_matching_method_prefix_wins_over_the_classs_own_entry()
    {
        Assert.Equal("CreatePoolFacts.Delete_that_the_OS_refuses",
            CheckMap.Classify("X.CreatePoolFacts", "Delete_that_the_OS_refuses_is_B_ERROR_and_the_pool_keeps_working").Key);
        Assert.Equal("CreatePoolFacts.Delete_", CheckMap.Classify("X.CreatePoolFacts", "Delete_unmaps_the_area_once").Key);
        Assert.Equal("CreatePoolFacts", CheckMap.Classify("X.CreatePoolFacts", "Every_lock_spec_makes_a_working_pool").Key);
    }

    [Fact]
    public void A_class_with_only_method_entries_leaves_other_methods_unmapped()
    {
        Assert.Equal(CheckRole.Unmapped, CheckMap.Classify("X.LayoutAndOverflowProperties", "A_new_law").Role);
    }

    [Fact]
    public void An_unknown_class_is_unmapped_under_its_short_name()
    {
        CheckMapping mapping = CheckMap.Classify("AreaMalloc.Somewhere.BrandNewFacts", "Anything");
        Assert.Equal(CheckRole.Unmapped, mapping.Role);
        Assert.Equal("BrandNewFacts", mapping.Key);
    }

    [Theory]
    [InlineData("BudgetFacts")]
    [InlineData("FailFastTests")]
    [InlineData("RewritingSmokeTests")]
    [InlineData("InfrastructureTests")]
    public void Harness_self_checks_serve_no_law(string className)
    {
        CheckMapping mapping = CheckMap.Classify("AreaMalloc." + className, "Whatever");
        Assert.Equal(CheckRole.Harness, mapping.Role);
        Assert.Empty(mapping.Laws);
        Assert.False(string.IsNullOrEmpty(mapping.Harness));
    }

    [Fact]
    public void Checks_of_safe_deletion_caching_and_poison_name_their_configuration()
    {
        Assert.Equal([PoolConfiguration.SafeDeletion], CheckMap.Classify("EveryScenario", "Safe_deletion_makes_the_delete_pool_race_harmless").Configurations);
        Assert.Equal([PoolConfiguration.Caching], CheckMap.Classify("CachedModelProperty", "Caching_pools_agree_with_the_model_on_every_command_sequence").Configurations);
        Assert.Equal([PoolConfiguration.Poison], CheckMap.Classify("PoisonedModelProperty", "Poisoned_pools_agree_with_the_model_on_every_command_sequence").Configurations);
        Assert.Equal(["delete-race.be-book"], CheckMap.Classify("EveryScenario", "Unsafe_delete_pool_race_is_found_and_replayed").Laws.Select(l => l.Id));
    }
}
