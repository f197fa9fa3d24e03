using System.Reflection;
using Microsoft.Coyote;
using Microsoft.Coyote.Rewriting;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;

namespace AreaMalloc.ConcurrencyTests;

/// <summary>
/// Smoke tests proving that the build rewrote this assembly (and AreaMalloc.TestKit.dll, AreaMalloc.dll) for Coyote, so that
/// the in-process <see cref="TestingEngine"/> controls real <see cref="Task.Run(Action)"/> tasks and
/// <c>lock</c> on an <see cref="object"/>. Without rewriting, these tests report a false deadlock.
/// </summary>
public sealed class RewritingSmokeTests
{
    private const uint Iterations = 100;

    [Fact]
    public void Build_rewrites_test_assembly_test_kit_and_allocator_for_coyote()
    {
        Assembly tests = typeof(RewritingSmokeTests).Assembly;
        Assembly kit = Assembly.Load("AreaMalloc.TestKit");
        Assembly allocator = Assembly.Load("AreaMalloc");

        Assert.True(RewritingEngine.IsAssemblyRewritten(tests), $"{tests.Location} was not rewritten by coyote");
        Assert.True(RewritingEngine.IsAssemblyRewritten(kit), $"{kit.Location} was not rewritten by coyote");
        Assert.True(RewritingEngine.IsAssemblyRewritten(allocator), $"{allocator.Location} was not rewritten by coyote");
    }

    [Fact]
    public void Coyote_finds_no_bug_when_two_tasks_increment_under_an_object_lock()
    {
        TestReport report = Explore(TwoLockedIncrementsAsync);

        Assert.True(report.NumOfFoundBugs == 0, string.Join(Environment.NewLine, report.BugReports));
        Assert.Equal((int)Iterations, report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths);
    }

    [Fact]
    public void Coyote_finds_lost_update_between_two_tasks()
    {
        TestReport report = Explore(TwoRacyIncrementsAsync);

        Assert.True(report.NumOfFoundBugs > 0, $"no lost update found in {Iterations} iterations");
        Assert.Contains(report.BugReports, bug => bug.Contains("lost update", StringComparison.Ordinal));
    }

    private static TestReport Explore(Func<Task> test)
    {
        using TestingEngine engine = TestingEngine.Create(
            Configuration.Create().WithTestingIterations(Iterations), test);
        engine.Run();
        return engine.TestReport;
    }

    private static async Task TwoLockedIncrementsAsync()
    {
        var gate = new object();
        var counter = new Counter();

        void Increment()
        {
            lock (gate)
            {
                int seen = Volatile.Read(ref counter.Value);
                Volatile.Write(ref counter.Value, seen + 1);
            }
        }

        Task first = Task.Run(Increment);
        Task second = Task.Run(Increment);
        await Task.WhenAll(new[] { first, second });

        Specification.Assert(counter.Value == 2, $"lost update: counter is {counter.Value}, expected 2");
    }

    private static async Task TwoRacyIncrementsAsync()
    {
        var counter = new Counter();

        // Read-then-write without a lock: Volatile.Read/Write are scheduling points, so Coyote can
        // interleave the other task between them and lose one of the two updates.
        void Increment()
        {
            int seen = Volatile.Read(ref counter.Value);
            Volatile.Write(ref counter.Value, seen + 1);
        }

        Task first = Task.Run(Increment);
        Task second = Task.Run(Increment);
        await Task.WhenAll(new[] { first, second });

        Specification.Assert(counter.Value == 2, $"lost update: counter is {counter.Value}, expected 2");
    }

    private sealed class Counter
    {
        public int Value;
    }
}
