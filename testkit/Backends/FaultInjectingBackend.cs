using System.Globalization;
using AreaMalloc.Areas;

namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// An <see cref="IAreaBackend"/> over the real Linux one that fails one chosen OS call (see <see cref="FaultPlan"/>),
/// counts every call by kind, and keeps the exact page ranges it has mapped and not unmapped, so a property can
/// prove that no mapping leaks, and the shared memory handles it has opened and not closed. Each anonymous mapping it
/// makes is named <c>[anon:TAG]</c> in <c>/proc/self/maps</c> (prctl PR_SET_VMA_ANON_NAME, when the kernel has it), so
/// leaks are found there too, unconfused by other tests.
/// Thread-safe (one lock); one instance per test sequence.
/// </summary>
public sealed class FaultInjectingBackend : IAreaBackend
{
    private static long s_instances;
    private readonly LinuxAreaBackend real = new();
    private readonly object gate = new();
    private readonly SortedDictionary<nint, nuint> live = [];
    private readonly long[] calls = new long[Enum.GetValues<OsCall>().Length];
    private readonly HashSet<int> memories = [];
    private long total;

    /// <summary>A backend that fails as <paramref name="plan"/> says.</summary>
    /// <param name="plan">The fault, or <see cref="FaultPlan.None"/>.</param>
    public FaultInjectingBackend(FaultPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        Tag = string.Create(CultureInfo.InvariantCulture, $"amfi-{Environment.ProcessId}-{Interlocked.Increment(ref s_instances)}");
    }

    /// <summary>The fault this backend injects.</summary>
    public FaultPlan Plan { get; }

    /// <summary>The name its mappings carry in /proc/self/maps.</summary>
    public string Tag { get; }

    /// <summary>True once the planned fault was injected.</summary>
    public bool Injected { get; private set; }

    /// <summary>What the injected call was (e.g. <c>unmap 4096 bytes</c>), or null.</summary>
    public string? InjectedCall { get; private set; }

    /// <summary>When false, no fault is injected (calls are still counted). Starts true.</summary>
    public bool Armed { get; set; } = true;

    /// <summary>Whether the kernel accepted the VMA names (else the /proc/self/maps check is by address only).</summary>
    public bool Named { get; private set; }

    /// <summary>All OS calls so far.</summary>
    public long TotalCalls
    {
        get { lock (gate) return total; }
    }

    /// <summary>Calls of one kind so far.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The count.</returns>
    public long Calls(OsCall kind)
    {
        lock (gate) return calls[(int)kind];
    }

    /// <summary>Disjoint mapped ranges that were mapped through this backend and not unmapped.</summary>
    public int LiveMappings
    {
        get { lock (gate) return live.Count; }
    }

    /// <summary>Bytes mapped through this backend and not unmapped.</summary>
    public ulong LiveBytes
    {
        get { lock (gate) return live.Values.Aggregate(0UL, (s, n) => s + n); }
    }

    /// <summary>Shared memory handles opened (created or opened) through this backend and not closed.</summary>
    public int OpenMemories
    {
        get { lock (gate) return memories.Count; }
    }

    /// <summary>The live ranges, ordered.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<(nint Address, nuint Size)> LiveRanges()
    {
        lock (gate) return live.Select(kv => (kv.Key, kv.Value)).ToArray();
    }

    /// <inheritdoc />
    public int Map(in MapRequest request, out nint address)
    {
        lock (gate)
        {
            if (Fail(OsCall.Map, string.Create(CultureInfo.InvariantCulture, $"map {request.Size} bytes {request.Placement}")) is int errno)
            {
                address = 0;
                return errno;
            }

            int rc = real.Map(request, out address);
            if (rc == 0)
            {
                Subtract(address, request.Size); // a replacing mapping (Placement.Replace) takes over the range it covers
                live[address] = request.Size;
                Named |= request.Memory is null && ProcMaps.Name(address, request.Size, Tag);
            }

            return rc;
        }
    }

    /// <inheritdoc />
    public int Unmap(nint address, nuint size)
    {
        lock (gate)
        {
            if (Fail(OsCall.Unmap, string.Create(CultureInfo.InvariantCulture, $"unmap {size} bytes")) is int errno)
            {
                return errno;
            }

            int rc = real.Unmap(address, size);
            if (rc == 0)
            {
                Subtract(address, size);
            }

            return rc;
        }
    }

    /// <inheritdoc />
    public int Protect(nint address, nuint size, PageAccess access)
    {
        lock (gate)
        {
            return Fail(OsCall.Protect, "protect") ?? real.Protect(address, size, access);
        }
    }

    /// <inheritdoc />
    public int Lock(nint address, nuint size, bool onFault)
    {
        lock (gate)
        {
            return Fail(OsCall.Lock, string.Create(CultureInfo.InvariantCulture, $"lock {size} bytes{(onFault ? " on fault" : "")}"))
                ?? real.Lock(address, size, onFault);
        }
    }

    /// <inheritdoc />
    public int CreateMemory(string name, nuint size, out int memory)
    {
        lock (gate)
        {
            if (Fail(OsCall.CreateMemory, string.Create(CultureInfo.InvariantCulture, $"create memory of {size} bytes")) is int errno)
            {
                memory = -1;
                return errno;
            }

            int rc = ((IAreaBackend)real).CreateMemory(name, size, out memory);
            if (rc == 0)
            {
                memories.Add(memory);
            }

            return rc;
        }
    }

    /// <inheritdoc />
    public int OpenMemory(int processId, int memory, bool writable, out int opened)
    {
        lock (gate)
        {
            if (Fail(OsCall.OpenMemory, string.Create(CultureInfo.InvariantCulture, $"open memory {processId}/{memory}")) is int errno)
            {
                opened = -1;
                return errno;
            }

            int rc = ((IAreaBackend)real).OpenMemory(processId, memory, writable, out opened);
            if (rc == 0)
            {
                memories.Add(opened);
            }

            return rc;
        }
    }

    /// <inheritdoc />
    public string? MemoryName(int memory)
    {
        lock (gate)
        {
            return Fail(OsCall.MemoryName, "read a memory's name") is null ? ((IAreaBackend)real).MemoryName(memory) : null;
        }
    }

    /// <inheritdoc />
    public int CloseMemory(int memory)
    {
        lock (gate)
        {
            int? errno = Fail(OsCall.CloseMemory, "close memory");
            int rc = ((IAreaBackend)real).CloseMemory(memory); // released even when the fault reports an error, as close(2)
            memories.Remove(memory);
            return errno ?? rc;
        }
    }

    /// <summary>Counts the call; the planned errno when this is the call that fails, else null.</summary>
    private int? Fail(OsCall kind, string what)
    {
        long n = ++calls[(int)kind];
        total++;
        long index = Plan.Kind is null ? total : Plan.Kind == kind ? n : -1;
        if (!Armed || Injected || index != Plan.Nth)
        {
            return null;
        }

        Injected = true;
        InjectedCall = what;
        return Plan.Errno;
    }

    /// <summary>Removes [address, address+size) from the live ranges (a range may be split).</summary>
    private void Subtract(nint address, nuint size)
    {
        nuint lo = (nuint)address, hi = lo + size;
        foreach (KeyValuePair<nint, nuint> r in live.ToArray())
        {
            nuint start = (nuint)r.Key, end = start + r.Value;
            if (end <= lo || start >= hi)
            {
                continue;
            }

            live.Remove(r.Key);
            if (start < lo)
            {
                live[(nint)start] = lo - start;
            }

            if (end > hi)
            {
                live[(nint)hi] = end - hi;
            }
        }
    }
}
