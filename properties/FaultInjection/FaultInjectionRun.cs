using System.Globalization;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.TestKit.ModelBased;

namespace AreaMalloc.Properties.FaultInjection;

/// <summary>Totals of a fault-injection property run.</summary>
public sealed class FaultCounters
{
    private readonly SortedDictionary<string, long> events = new(StringComparer.Ordinal);

    /// <summary>Command sequences generated.</summary>
    public long Sequences { get; internal set; }

    /// <summary>Runs of a sequence (one without faults, then one per OS call of it).</summary>
    public long Runs { get; internal set; }

    /// <summary>Runs in which the planned fault was injected.</summary>
    public long Injected { get; internal set; }

    /// <summary>Commands executed over every run.</summary>
    public RunCounters Commands { get; } = new();

    /// <summary>How the faults surfaced, by kind.</summary>
    public IReadOnlyDictionary<string, long> Events => events;

    internal void Count(string what) => events[what] = events.GetValueOrDefault(what) + 1;
}

/// <summary>Runs one command sequence with one planned fault and checks that nothing leaked.</summary>
public static class FaultInjectionRun
{
    /// <summary>
    /// Runs <paramref name="commands"/> through the <see cref="SequenceDriver"/> over a <see cref="FaultInjectingModule"/>
    /// whose backend fails as <paramref name="plan"/> says, puts the module away, then checks: no mapping left by
    /// the backend's own count, none named by it in /proc/self/maps, none of its ranges still mapped, and the registry empty.
    /// </summary>
    /// <param name="commands">The sequence.</param>
    /// <param name="plan">The fault.</param>
    /// <param name="counters">Totals.</param>
    /// <param name="calls">How many OS calls the run made.</param>
    /// <returns>Null when all is well, else the failure.</returns>
    public static string? Run(IReadOnlyList<Command> commands, FaultPlan plan, FaultCounters counters, out long calls)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(counters);
        counters.Runs++;
        var backend = new FaultInjectingBackend(plan);
        var sut = new FaultInjectingModule(backend);
        var everMapped = new List<(nint, nuint)>();
        string? failure = null;
        long callsSeen = 0;
        try
        {
            using var driver = new SequenceDriver(sut, counters.Commands);
            foreach (Command command in commands)
            {
                if (driver.Execute(command) is not null)
                {
                    break;
                }

                if (backend.TotalCalls == callsSeen)
                {
                    continue;
                }

                callsSeen = backend.TotalCalls;
                IReadOnlyList<(nint Address, nuint Size)> mapped = backend.LiveRanges();
                if (mapped.FirstOrDefault(r => !ProcMaps.Covers(r.Address, r.Size)) is { Size: > 0 } missing)
                {
                    failure = string.Create(CultureInfo.InvariantCulture, $"after `{command}` the backend counts [0x{missing.Address:x}, +{missing.Size}) as mapped, but /proc/self/maps does not map all of it");
                    break;
                }

                everMapped.AddRange(mapped);
            }

            failure ??= driver.Failure;
        }
        catch (InjectedFaultException e)
        {
            failure = "while putting the module away: " + e.Message;
        }

        calls = backend.TotalCalls;
        if (backend.Injected)
        {
            counters.Injected++;
            counters.Count(sut.Surfaced ?? "injected, surfaced nowhere");
            counters.Count("errno " + Errnos.Name(plan.Errno));
        }
        else if (plan.Nth != 0)
        {
            counters.Count("fault planned past the last OS call");
        }

        return failure ?? Leaks(backend, sut, everMapped.Distinct(), counters);
    }

    private static string? Leaks(FaultInjectingBackend backend, FaultInjectingModule sut, IEnumerable<(nint Address, nuint Size)> everMapped, FaultCounters counters)
    {
        if (backend.LiveMappings != 0)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"after the last put_module, {backend.LiveBytes} bytes in {backend.LiveMappings} ranges are still mapped ({backend.Plan}, {backend.InjectedCall})");
        }

        if (sut.Areas.Count != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"after the last put_module, the registry still has {sut.Areas.Count} areas");
        }

        IReadOnlyList<string> named = ProcMaps.Named(backend.Tag);
        if (named.Count != 0)
        {
            return "/proc/self/maps still shows " + string.Join("; ", named);
        }

        // Kernels without VMA names (CONFIG_ANON_VMA_NAME, not here): by address. Another thread (the runtime, a
        // parallel test) may have mapped a freed range again, so an overlap is counted, not failed; the exact
        // accounting above is the verdict, and the live ranges were held to /proc/self/maps during the run.
        if (!backend.Named)
        {
            counters.Count(everMapped.Any(r => ProcMaps.Overlaps(r.Address, r.Size))
                ? "unnamed: a freed range is mapped again (reused by another thread, or leaked)"
                : "unnamed: every freed range is gone from /proc/self/maps");
        }

        return null;
    }
}
