using AreaMalloc.Areas;

namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// A backend over the real Linux one that records every call and can be told to fail the next call of a kind
/// with a given errno. It also counts the bytes it has mapped and not unmapped, and the shared memory handles it has
/// opened and not closed, so facts can prove no mapping or handle leaks.
/// </summary>
internal sealed class RecordingBackend : IAreaBackend
{
    private readonly LinuxAreaBackend _real = new();
    private readonly object _gate = new();

    public List<string> Calls { get; } = new();
    public List<MapRequest> MapRequests { get; } = new();
    public List<(nint Address, nuint Size, bool OnFault)> Locks { get; } = new();
    public long MappedBytes { get; private set; }

    public int FailMapWith { get; set; }
    public int FailLockWith { get; set; }
    public int FailUnmapWith { get; set; }
    public int FailCreateMemoryWith { get; set; }
    public int FailOpenMemoryWith { get; set; }
    public int OpenMemories { get; private set; }

    public int Map(in MapRequest request, out nint address)
    {
        lock (_gate)
        {
            Calls.Add($"map {request.Size} {request.Placement}{(request.Memory is null ? "" : " shared")}");
            MapRequests.Add(request);
            if (FailMapWith != 0)
            {
                address = 0;
                return FailMapWith;
            }
            int rc = _real.Map(request, out address);
            // A replacing mapping lies over bytes already counted (the reservation it replaces).
            if (rc == 0 && request.Placement != Placement.Replace)
                MappedBytes += (long)request.Size;
            return rc;
        }
    }

    public int Unmap(nint address, nuint size)
    {
        lock (_gate)
        {
            Calls.Add($"unmap {size}");
            if (FailUnmapWith != 0)
                return FailUnmapWith;
            int rc = _real.Unmap(address, size);
            if (rc == 0)
                MappedBytes -= (long)size;
            return rc;
        }
    }

    public int Protect(nint address, nuint size, PageAccess access)
    {
        lock (_gate)
        {
            Calls.Add($"protect {size} {access}");
            return _real.Protect(address, size, access);
        }
    }

    public int Lock(nint address, nuint size, bool onFault)
    {
        lock (_gate)
        {
            Calls.Add($"lock {size} {onFault}");
            Locks.Add((address, size, onFault));
            return FailLockWith != 0 ? FailLockWith : _real.Lock(address, size, onFault);
        }
    }

    public int CreateMemory(string name, nuint size, out int memory)
    {
        lock (_gate)
        {
            Calls.Add($"create memory {size}");
            memory = -1;
            int rc = FailCreateMemoryWith != 0 ? FailCreateMemoryWith : ((IAreaBackend)_real).CreateMemory(name, size, out memory);
            OpenMemories += rc == 0 ? 1 : 0;
            return rc;
        }
    }

    public int OpenMemory(int processId, int memory, bool writable, out int opened)
    {
        lock (_gate)
        {
            Calls.Add($"open memory {(writable ? "read-write" : "read-only")}");
            opened = -1;
            int rc = FailOpenMemoryWith != 0 ? FailOpenMemoryWith : ((IAreaBackend)_real).OpenMemory(processId, memory, writable, out opened);
            OpenMemories += rc == 0 ? 1 : 0;
            return rc;
        }
    }

    public string? MemoryName(int memory) => ((IAreaBackend)_real).MemoryName(memory);

    public int CloseMemory(int memory)
    {
        lock (_gate)
        {
            Calls.Add("close memory");
            OpenMemories--;
            return ((IAreaBackend)_real).CloseMemory(memory);
        }
    }
}
