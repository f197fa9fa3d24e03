using System.Globalization;
using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.ConcurrencyTests.Scenarios;

namespace AreaMalloc.ConcurrencyTests.Hunting;

/// <summary>
/// The test assembly's own entry point (the test host ignores it): after the build has rewritten this assembly and
/// the allocator for Coyote, <c>dotnet AreaMalloc.ConcurrencyTests.dll hunt|replay|list ...</c> runs one scenario
/// outside xunit. certify's <c>hunt</c> and <c>replay</c> commands call it.
/// </summary>
public static class Program
{
    /// <summary>hunt &lt;scenario&gt; [strategy] [iterations] [seed] | replay &lt;trace&gt; | list. Exit 0: no bug; 2: a bug (or the replayed one); 1: usage.</summary>
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "hunt" && ScenarioCatalog.Find(args[1]) is { } scenario)
        {
            ExplorationStrategy? strategy = args.Length > 2 ? ScenarioCatalog.Strategy(args[2]) : ExplorationStrategy.Default;
            if (strategy is null)
                return Usage($"unknown strategy '{args[2]}'");
            var settings = new ScenarioSettings
            {
                Iterations = args.Length > 3 ? uint.Parse(args[3], CultureInfo.InvariantCulture) : 10_000,
                Strategy = strategy.Value,
                Seed = args.Length > 4 ? uint.Parse(args[4], CultureInfo.InvariantCulture) : null,
            };
            Console.WriteLine($"hunting {args[1]} (expected: {scenario.Expectation}) with {strategy.Value.ShortName()} for up to {settings.Iterations} iterations");
            return Report(scenario.Run(settings));
        }
        if (args.Length == 2 && args[0] == "replay")
        {
            string trace = Path.GetFullPath(args[1]);
            string? name = ScenarioCatalog.ScenarioOfTrace(trace);
            if (name is null || !File.Exists(trace))
                return Usage($"'{args[1]}' is not a trace file of a known scenario (its name starts with the scenario's)");
            return Report(ScenarioCatalog.Find(name)!.Run(new ScenarioSettings { Iterations = 1, ReplayTrace = trace }));
        }
        if (args.Length == 1 && args[0] == "list")
        {
            foreach (ScenarioEntry entry in ScenarioCatalog.All)
                Console.WriteLine($"{entry.Name,-22} {entry.Expectation}: {entry.Law}");
            return 0;
        }
        return Usage(null);
    }

    private static int Report(ScenarioResult result)
    {
        Console.WriteLine(result.Describe());
        return result.FoundBug ? 2 : 0;
    }

    private static int Usage(string? problem)
    {
        if (problem is not null)
            Console.Error.WriteLine(problem);
        Console.Error.WriteLine("usage: hunt <scenario> [default|random|pct|probabilistic] [iterations] [seed] | replay <trace> | list");
        Console.Error.WriteLine("scenarios: " + string.Join(", ", ScenarioCatalog.All.Select(s => s.Name)));
        return 1;
    }
}
