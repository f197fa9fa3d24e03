using System.Reflection;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.Properties.Faulty;
using AreaMalloc.Properties.Pool;
using AreaMalloc.Properties.Runner;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.Harness;

/// <summary>Fail-fast mode changes how a failure is reported and in which order tests run, never what is checked.</summary>
[Expensive(8)]
public sealed class FailFastTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("1", true)]
    [InlineData("TRUE", true)]
    public void The_fail_fast_setting_is_on_only_when_asked_for(string? text, bool expected) =>
        Assert.Equal(expected, FailFast.Parse(text));

    [Theory]
    [InlineData("yes")]
    [InlineData("2")]
    public void A_fail_fast_typo_is_an_error(string text) =>
        Assert.Throws<ArgumentException>(() => FailFast.Parse(text));

    [Fact]
    public void Without_shrinking_a_fault_is_still_caught_within_the_same_budget_and_its_sequence_reported_as_generated()
    {
        var faulty = new FaultyFactory("calloc does not zero reused memory", p => new CallocWithoutZeroing(p));
        PropertyOutcome shrunk = ModelBasedProperty.Check(faulty, 2000, testName: null);
        PropertyOutcome unshrunk = ModelBasedProperty.Check(faulty, 2000, shrunk.RunSeed, testName: null, shrink: false);
        Assert.False(unshrunk.Passed, "the unshrunk run passed: fail-fast mode would let a fault through");
        Assert.Equal(shrunk.Tests, unshrunk.Tests);
        Assert.NotNull(unshrunk.Counterexample);
        Assert.True(unshrunk.Counterexample.Count >= shrunk.Counterexample!.Count,
            $"the unshrunk counterexample has {unshrunk.Counterexample.Count} commands, fewer than the shrunk one's {shrunk.Counterexample.Count}");
        Assert.Contains("calloc memory must be zero", unshrunk.Violation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_expensive_classes_have_larger_CPU_budgets_than_any_cheap_fact()
    {
        Assert.Equal(CpuWatchdog.BaseBudgetSeconds, CpuWatchdog.BudgetFor(0));
        Assert.True(CpuWatchdog.BudgetFor(40) > CpuWatchdog.BudgetFor(3));
        Assert.True(CpuWatchdog.BudgetFor(-1) == CpuWatchdog.BaseBudgetSeconds);
    }

    [Fact]
    public void The_classes_marked_RunsFirst_rank_before_every_other_class()
    {
        var assembly = new Xunit.Sdk.TestAssembly(Xunit.Sdk.Reflector.Wrap(typeof(FailFastTests).Assembly));
        Xunit.Abstractions.ITestCollection Of(Type type) => new Xunit.Sdk.TestCollection(assembly, null, "Test collection for " + type.FullName);
        Assert.Equal(-1, CheapestFirstOrderer.RankOf(Of(typeof(PoolLockFacts))));
        Assert.Equal(0, CheapestFirstOrderer.RankOf(Of(typeof(MallocFacts))));
        Assert.Equal(8, CheapestFirstOrderer.RankOf(Of(typeof(FailFastTests))));
    }

    [Fact]
    public void The_assembly_names_its_test_framework_and_collection_orderer_by_types_it_holds()
    {
        // xunit finds both by name: a type moved to another namespace would silently turn the watchdog and the order off.
        Assembly assembly = typeof(FailFastTests).Assembly;
        CustomAttributeData[] named = assembly.CustomAttributes
            .Where(a => a.AttributeType == typeof(TestFrameworkAttribute) || a.AttributeType == typeof(TestCollectionOrdererAttribute))
            .ToArray();
        Assert.True(named.Length == 2, $"expected: a [TestFramework] and a [TestCollectionOrderer] on {assembly.GetName().Name}; actual: {named.Length} of them");
        foreach (CustomAttributeData attribute in named)
        {
            string typeName = (string)attribute.ConstructorArguments[0].Value!;
            Assert.True(assembly.GetType(typeName) is not null,
                $"expected: [{attribute.AttributeType.Name}] names a type of {assembly.GetName().Name}; actual: there is no type '{typeName}'");
        }
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(255UL)]
    [InlineData(256UL)]
    [InlineData(257UL)]
    [InlineData(1000UL)]
    public unsafe void The_fixture_pattern_is_written_and_checked_byte_for_byte(ulong length)
    {
        byte[] buffer = new byte[length + 1];
        fixed (byte* p = buffer)
        {
            PoolFixture.Fill((nint)p, length, 7);
            for (ulong i = 0; i < length; i++)
                Assert.Equal(PoolFixture.PatternByte(7, (long)i), p[i]);
            Assert.Equal(0, p[length]);
            Assert.Null(PoolFixture.FindDamage((nint)p, length, 7));
            p[length - 1] ^= 0xFF;
            Assert.Contains($"byte {length - 1} is", PoolFixture.FindDamage((nint)p, length, 7), StringComparison.Ordinal);
        }
    }
}
