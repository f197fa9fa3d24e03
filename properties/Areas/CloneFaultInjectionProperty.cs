using System.Globalization;
using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.FaultInjection;
using AreaMalloc.Properties.Runner;
using AreaMalloc.TestKit.Settings;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// Deterministic simulation of shared areas: random sequences of create_area (shared or private, any lock, anywhere or
/// block-aligned), clone_area within a team, clone_area through an exported handle from the other team, delete_area and
/// writes, over two registries ("teams") on one <see cref="FaultInjectingBackend"/>. Each sequence runs once without
/// faults (every status as Haiku's rules say), then once per OS call with that call failing. After every command:
/// every live area reads its memory's bytes, the registries hold exactly the live areas, the backend exactly their pages
/// and one open handle per memory object each team maps. A command that met the fault fails with a documented status and
/// changes nothing (a close fault changes nothing at all: delete_area is B_OK); at the end nothing is mapped or open.
/// </summary>
[Expensive(5)]
public sealed class CloneFaultInjectionProperty(ITestOutputHelper output)
{
    /// <summary>Sequences at the CI budget.</summary>
    public const int CiSequences = 12;

    /// <summary>Faulted runs per sequence at most.</summary>
    public const int MaxFaultsPerSequence = 16;

    private static readonly int[] FaultStatuses = [B_NO_MEMORY, B_BAD_VALUE, B_PERMISSION_DENIED];

    [Fact]
    public void Every_injected_OS_failure_in_sharing_areas_fails_cleanly_and_leaks_nothing()
    {
        int maxTest = Budget.Current.Scale(CiSequences);
        long runs = 0, injected = 0, commands = 0;
        string? failure = null;
        Gen<(AreaCommand[] Commands, int Errno)> gen =
            from n in Gen.Choose(1, 30)
            from cs in Gen.ArrayOf(AreaCommand.Generator, n)
            from errno in Gen.Choose(0, Errnos.All.Count - 1)
            select (cs, errno);
        Property property = Prop.ForAll(Arb.From(gen), input =>
        {
            string? f = Check(input.Commands, input.Errno, ref runs, ref injected, ref commands);
            failure ??= f;
            return f is null;
        });
        Config config = Config.Quick.WithMaxTest(maxTest).WithName(nameof(Every_injected_OS_failure_in_sharing_areas_fails_cleanly_and_leaks_nothing));
        if (ReplaySeed.FromEnvironment() is ReplaySeed r)
        {
            config = config.WithReplay(r.Seed, r.Gamma);
        }

        (TestResult result, _) = CapturingRunner.Run(property, config);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"certify: clone fault-injection sequences={maxTest} runs={runs} faults injected={injected} commands={commands}"));
        Assert.True(result.IsPassed, failure + Environment.NewLine + "FsCheck: " + result);
        Assert.True(injected > 0, "no fault was ever injected");
    }

    private static string? Check(AreaCommand[] commands, int errnoOffset, ref long runs, ref long injected, ref long executed)
    {
        runs++;
        var clean = new Simulation(FaultPlan.None);
        string? f = clean.Run(commands);
        executed += clean.Executed;
        if (f is not null)
        {
            return "without faults: " + f + Describe(commands);
        }

        long calls = clean.Backend.TotalCalls;
        long step = Math.Max(1, (calls + MaxFaultsPerSequence - 1) / MaxFaultsPerSequence);
        for (long nth = 1; nth <= calls; nth += step)
        {
            var plan = new FaultPlan(nth, null, Errnos.All[(int)((errnoOffset + nth) % Errnos.All.Count)]);
            var faulted = new Simulation(plan);
            runs++;
            f = faulted.Run(commands);
            executed += faulted.Executed;
            injected += faulted.Backend.Injected ? 1 : 0;
            if (f is not null)
            {
                return $"{plan} ({faulted.Backend.InjectedCall ?? "not reached"}): {f}{Describe(commands)}";
            }
        }

        return null;
    }

    private static string Describe(AreaCommand[] commands) =>
        Environment.NewLine + "commands:" + Environment.NewLine + string.Join(Environment.NewLine, commands.Select((c, i) => $"  {i + 1,3}. {c}"));

    /// <summary>What a command does; <see cref="AreaCommand.Pick"/> names an area made earlier (live or deleted).</summary>
    internal enum Op
    {
        Create,
        Clone,
        CloneThroughHandle,
        Delete,
        Write,
    }

    /// <summary>One command of a sequence.</summary>
    internal sealed record AreaCommand(Op Op, int Pick, bool Shared, bool Writable, uint LockSpec, bool Block, int Pages, int Offset, byte Value)
    {
        public static Gen<AreaCommand> Generator { get; } =
            from op in Gen.Frequency((3, Gen.Constant(Op.Create)), (3, Gen.Constant(Op.Clone)), (3, Gen.Constant(Op.CloneThroughHandle)), (2, Gen.Constant(Op.Delete)), (3, Gen.Constant(Op.Write)))
            from pick in Gen.Choose(0, 1000)
            from shared in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
            from writable in Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
            from lockSpec in Gen.Elements(B_NO_LOCK, B_NO_LOCK, B_LAZY_LOCK, B_FULL_LOCK)
            from block in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
            from pages in Gen.Choose(1, 4)
            from offset in Gen.Choose(0, 4 * B_PAGE_SIZE - 1)
            from value in Gen.Choose(1, 255)
            select new AreaCommand(op, pick, shared, writable, lockSpec, block, pages, offset, (byte)value);

        public override string ToString() => Op switch
        {
            Op.Create => string.Create(CultureInfo.InvariantCulture, $"create {(Shared ? "shared" : "private")} {(Writable ? "rw" : "r")} {Pages} pages lock {LockSpec}{(Block ? " block-aligned" : "")}"),
            Op.Write => string.Create(CultureInfo.InvariantCulture, $"write 0x{Value:x2} at {Offset} through area #{Pick}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Op} area #{Pick}{(Op == Op.Delete ? "" : Writable ? " rw" : " r")}"),
        };
    }

    /// <summary>One run of a sequence: two registries (teams) on one fault-injecting backend, and the model they must agree with.</summary>
    private sealed unsafe class Simulation
    {
        private readonly List<Area> areas = [];
        private readonly AreaRegistry[] teams;
        private int nextHandle = 1;

        public Simulation(FaultPlan plan)
        {
            Backend = new FaultInjectingBackend(plan);
            teams = [new AreaRegistry(Backend), new AreaRegistry(Backend)];
        }

        public FaultInjectingBackend Backend { get; }

        public int Executed { get; private set; }

        /// <summary>Runs the commands, then deletes everything with the backend disarmed and checks that nothing is left.</summary>
        public string? Run(AreaCommand[] commands)
        {
            string? failure = null;
            foreach (AreaCommand command in commands)
            {
                Executed++;
                failure = Execute(command) ?? Check();
                if (failure is not null)
                {
                    failure = string.Create(CultureInfo.InvariantCulture, $"command {Executed} `{command}`: {failure}");
                    break;
                }
            }

            Backend.Armed = false;
            foreach (Area area in areas.Where(a => a.Live))
            {
                teams[area.Team].DeleteArea(area.Id);
            }

            if (failure is null && (Backend.LiveBytes != 0 || Backend.OpenMemories != 0 || teams.Any(r => r.Count != 0)))
            {
                failure = $"after deleting every area: {Backend.LiveBytes} bytes mapped, {Backend.OpenMemories} memory handles open, {teams.Sum(r => r.Count)} areas registered";
            }

            return failure;
        }

        private string? Execute(AreaCommand c)
        {
            bool faultBefore = Backend.Injected;
            Area? picked = areas.Count == 0 ? null : areas[c.Pick % areas.Count];
            (int status, int expected, Area? made) = c.Op switch
            {
                Op.Create => Create(c.Pick % 2, c),
                Op.Clone when picked is not null => Clone(picked, c),
                Op.CloneThroughHandle when picked is not null => CloneThroughHandle(picked, c),
                Op.Delete when picked is not null => Delete(picked),
                Op.Write when picked is { Live: true, Writable: true } => Write(picked, c),
                _ => (B_OK, B_OK, null),
            };
            bool faulted = Backend.Injected && !faultBefore;
            if (status > 0 && made is not null)
            {
                Assert.Equal(B_OK, teams[made.Team].ExportArea(status, out AreaHandle exported));
                areas.Add(made with { Id = status, Exported = exported });
            }

            bool documented = faulted && status < 0 && (FaultStatuses.Contains(status) || (c.Op == Op.Delete && status == B_ERROR));
            return status == expected || documented
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"status {status}, expected {expected}{(faulted ? " or a documented failure status (the fault was met)" : "")}");
        }

        private (int, int, Area?) Create(int team, AreaCommand c)
        {
            nint address = 0;
            nuint size = (nuint)(c.Pages * B_PAGE_SIZE);
            int status = teams[team].CreateArea("area", ref address, c.Block ? B_ANY_KERNEL_BLOCK_ADDRESS : B_ANY_ADDRESS, size, c.LockSpec, Protection(c));
            var made = new Area(team, 0, address, size, c.Writable, c.Shared, c.Shared, true, new Memory([]), nextHandle++, default);
            return (status, Math.Max(status, 1), made);
        }

        private (int, int, Area?) Clone(Area source, AreaCommand c)
        {
            nint address = 0;
            int status = teams[source.Team].CloneArea("clone", ref address, B_ANY_ADDRESS, Protection(c), source.Id);
            int expected = !source.Live ? B_BAD_VALUE
                : !source.HasMemory || (c.Writable && !source.MemoryWritable) ? B_NOT_ALLOWED
                : Math.Max(status, 1);
            return (status, expected, new Area(source.Team, 0, address, source.Size, c.Writable, c.Shared, true, source.MemoryWritable, source.Memory, source.Handle, default));
        }

        private (int, int, Area?) CloneThroughHandle(Area source, AreaCommand c)
        {
            nint address = 0;
            int team = 1 - source.Team;
            int status = teams[team].CloneArea("handle clone", ref address, B_ANY_ADDRESS, Protection(c), source.Exported);
            // The handle names the source team's descriptor of the memory. While that descriptor is open, the clone maps the
            // memory. Once it is closed its number may be reused: by another descriptor of the same memory (both teams live
            // in this process, and a team may reopen memory it cloned away), then the clone maps that memory all the same;
            // by anything else, the memory's name does not match and the clone is B_BAD_VALUE.
            bool descriptorOpen = areas.Any(a => a.Live && a.Team == source.Team && a.HasMemory && a.Handle == source.Handle);
            bool memoryMapped = areas.Any(a => a.Live && a.HasMemory && ReferenceEquals(a.Memory, source.Memory));
            int expected = !source.Cloneable || (c.Writable && !source.Writable) ? B_NOT_ALLOWED
                : descriptorOpen ? Math.Max(status, 1)
                : memoryMapped && (status > 0 || status == B_BAD_VALUE) ? status
                : B_BAD_VALUE;
            return (status, expected, new Area(team, 0, address, source.Size, c.Writable, c.Shared, true, c.Writable, source.Memory, nextHandle++, default));
        }

        private (int, int, Area?) Delete(Area area)
        {
            int status = teams[area.Team].DeleteArea(area.Id);
            int expected = area.Live ? B_OK : B_BAD_VALUE;
            if (status == B_OK)
            {
                area.Live = false;
            }

            return (status, expected, null);
        }

        private static (int, int, Area?) Write(Area area, AreaCommand c)
        {
            int offset = c.Offset % (int)area.Size;
            ((byte*)area.Address)[offset] = c.Value;
            area.Memory.Bytes[offset] = c.Value;
            return (B_OK, B_OK, null);
        }

        /// <summary>Read, or read and write; B_CLONEABLE_AREA for the areas (and clones) other teams may clone.</summary>
        private static uint Protection(AreaCommand c) =>
            (c.Writable ? B_READ_AREA | B_WRITE_AREA : B_READ_AREA) | (c.Shared ? B_CLONEABLE_AREA : 0);

        /// <summary>Every live area reads its memory's bytes; the registries and the backend hold exactly the live areas.</summary>
        private string? Check()
        {
            List<Area> live = areas.Where(a => a.Live).ToList();
            foreach (Area area in live)
            {
                foreach ((int offset, byte value) in area.Memory.Bytes)
                {
                    byte seen = offset < (int)area.Size ? ((byte*)area.Address)[offset] : value;
                    if (seen != value)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"area {area.Id} of team {area.Team} reads 0x{seen:x2} at {offset}, its memory holds 0x{value:x2}");
                    }
                }
            }

            for (int team = 0; team < teams.Length; team++)
            {
                int expected = live.Count(a => a.Team == team);
                if (teams[team].Count != expected)
                {
                    return $"team {team}'s registry holds {teams[team].Count} areas, the model {expected}";
                }
            }

            ulong bytes = live.Aggregate(0UL, (sum, a) => sum + a.Size);
            int handles = live.Where(a => a.HasMemory).Select(a => a.Handle).Distinct().Count();
            return Backend.LiveBytes == bytes && Backend.OpenMemories == handles
                ? null
                : $"the backend has {Backend.LiveBytes} bytes mapped and {Backend.OpenMemories} memory handles open, the live areas {bytes} bytes and {handles} handles";
        }
    }

    /// <summary>The bytes written into one memory object (all of them, as every area that maps it must read them).</summary>
    private sealed record Memory(Dictionary<int, byte> Bytes);

    /// <summary>
    /// An area as the model sees it: its team and id; its pages; whether it may be written, cloned by the other team
    /// (B_CLONEABLE_AREA), cloned at all (it has memory: shared areas and every clone); whether its team holds that memory
    /// writable (not when it cloned it read-only from the other team); the bytes of its memory; which memory handle its
    /// team holds (same-team clones share their source's; each handle clone opens its own); its export.
    /// </summary>
    private sealed record Area(int Team, int Id, nint Address, nuint Size, bool Writable, bool Cloneable, bool HasMemory, bool MemoryWritable, Memory Memory, int Handle, AreaHandle Exported)
    {
        public bool Live { get; set; } = true;
    }
}
