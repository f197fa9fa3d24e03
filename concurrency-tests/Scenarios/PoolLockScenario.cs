using AreaMalloc.ConcurrencyTests.Infrastructure;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;

namespace AreaMalloc.ConcurrencyTests.Scenarios;

/// <summary>
/// Scenario 9: the pool's lock (<see cref="PoolLock"/>) alone. 2 to 4 tasks each take it a few times and, holding it,
/// read a shared count, switch tasks, and write the count plus one; a second field counts the holders. Coyote switches
/// at every atomic step of the lock (its state word's reads and compare-exchanges, the semaphore's wait and release)
/// and at every access to the two fields, so a schedule in which two tasks hold the lock at once, an increment is
/// lost, a waiter is never woken (a deadlock) or a permit is left behind is found. At the end the count is exact, the
/// lock is free and no waiter stays registered.
/// </summary>
public static class PoolLockScenario
{
    /// <summary>The scenario's name: trace files start with it; <c>--filter Scenario=pool-lock</c> selects its tests.</summary>
    public const string Name = "pool-lock";

    /// <summary>Iterations under the CI budget.</summary>
    public const uint CiIterations = 100;

    /// <summary>The state the tasks share: plain fields, so that Coyote's race checking switches tasks at each access.</summary>
    private sealed class Shared
    {
        public readonly PoolLock Lock = new();
        public int Count;
        public int Holders;
    }

    /// <summary>Explores (or replays) the scenario as <paramref name="settings"/> say.</summary>
    public static ScenarioResult Run(ScenarioSettings settings) => ScenarioRunner.Run(Name, settings, IterationAsync,
        c => c.WithMemoryAccessRaceCheckingEnabled(true));

    private static async Task IterationAsync()
    {
        var shared = new Shared();
        Generator random = Generator.Create();
        int taskCount = 2 + random.NextInteger(3);
        int rounds = 1 + random.NextInteger(3);
        var tasks = new Task[taskCount];
        for (int i = 0; i < taskCount; i++)
            tasks[i] = Task.Run(() => TakeAndIncrement(shared, rounds));
        await Task.WhenAll(tasks);

        Specification.Assert(shared.Count == taskCount * rounds,
            $"the count under the lock is {shared.Count}, expected {taskCount * rounds} ({taskCount} tasks x {rounds} rounds): an increment was lost");
        Specification.Assert(!shared.Lock.IsHeld, "the lock is still held after every task left it");
        Specification.Assert(shared.Lock.Waiters == 0, $"{shared.Lock.Waiters} waiters stay registered after every task left the lock");
    }

    private static void TakeAndIncrement(Shared shared, int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            shared.Lock.Enter();
            int holders = ++shared.Holders;
            Specification.Assert(holders == 1, $"{holders} tasks hold the lock at once");
            int count = shared.Count;
            SchedulingPoint.Interleave();
            shared.Count = count + 1;
            shared.Holders--;
            shared.Lock.Exit();
        }
    }
}
