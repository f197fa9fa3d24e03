using AreaMalloc.Areas;

namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// A backend over the real Linux one that records every call and can be told to fail the next call of a kind
/// with a given errno. It also counts the bytes it has mapped and not unmapped, so facts can prove no mapping leaks.
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

    public int Map(in MapRequest request, out nint address)
    {
        lock (_gate)
        {
            Calls.Add($"map {request.Size} {request.Placement}");
            MapRequests.Add(request);
            if (FailMapWith != 0)
            {
                address = 0;
                return FailMapWith;
            }
            int rc = _real.Map(request, out address);
            if (rc == 0)
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
}
