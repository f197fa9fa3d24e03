using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("AreaMalloc.Properties.Runner.CheapestFirstOrderer", "AreaMalloc.Properties")]

namespace AreaMalloc.Properties.Runner;

/// <summary>
/// Marks a test class whose run takes a large part of a second or more at the CI budget (a property over
/// hundreds of sequences, a long fact). Under <see cref="FailFast"/> such classes run after every unmarked
/// class, in increasing <see cref="Rank"/>.
/// </summary>
/// <param name="rank">About the class's run time at the CI budget in tenths of a second: higher runs later, and its tests get
/// a larger CPU budget from the <see cref="CpuWatchdog"/>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExpensiveAttribute(int rank) : Attribute
{
    /// <summary>Higher runs later.</summary>
    public int Rank { get; } = rank;
}

/// <summary>
/// Marks a test class that checks what nearly every other test relies on (the pool's lock). Under <see cref="FailFast"/>
/// it runs before every other class; its facts bound every wait, so a mutant that breaks what it checks is killed there
/// in seconds, before a later test blocks on the broken part until the mutation runner's own timeout.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RunsFirstAttribute : Attribute;

/// <summary>
/// The xunit collection orderer of this assembly. Outside <see cref="FailFast"/> mode it keeps xunit's default
/// order. In fail-fast mode (mutation testing, where Stryker runs the tests of a mutant one after the other and
/// stops at the first failure) the test classes marked <see cref="ExpensiveAttribute"/> go last, cheapest first:
/// a mutant that a cheap fact kills is then killed in milliseconds, and the seconds-long properties only run
/// for the mutants nothing cheaper kills. Each class is its own collection (xunit's default), so the rank of a
/// collection is the rank of its class.
/// </summary>
public sealed class CheapestFirstOrderer : ITestCollectionOrderer
{
    private readonly DefaultTestCollectionOrderer fallback = new();

    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        IEnumerable<ITestCollection> ordered = fallback.OrderTestCollections(testCollections);
        return FailFast.Enabled ? ordered.OrderBy(RankOf).ToList() : ordered;
    }

    /// <summary>The rank of a default (per-class) collection's class: -1 when marked <see cref="RunsFirstAttribute"/>, else 0 unless marked <see cref="ExpensiveAttribute"/>.</summary>
    /// <param name="collection">The collection.</param>
    /// <returns>The rank.</returns>
    public static int RankOf(ITestCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        const string Prefix = "Test collection for ";
        string name = collection.DisplayName;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return 0;
        }

        Type? type = typeof(CheapestFirstOrderer).Assembly.GetType(name[Prefix.Length..]);
        if (type?.IsDefined(typeof(RunsFirstAttribute), false) == true)
        {
            return -1;
        }

        return type?.GetCustomAttributes(typeof(ExpensiveAttribute), false) is [ExpensiveAttribute e, ..] ? e.Rank : 0;
    }
}
