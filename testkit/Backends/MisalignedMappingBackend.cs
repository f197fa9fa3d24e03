using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// A backend over the real Linux one whose mappings placed anywhere start exactly one page past a multiple of
/// <see cref="Period"/>, so that an aligned over-mapping always has a head and a tail to trim; it refuses the
/// <c>n</c>-th unmap with ENOMEM, and counts the bytes it has mapped and not unmapped.
/// </summary>
internal sealed class MisalignedMappingBackend(int refuseUnmap) : IAreaBackend
{
    /// <summary>The alignment the placed mappings miss by one page: 16 pages, above any alignment of a small area.</summary>
    public const nuint Period = 16 * B_PAGE_SIZE;

    private readonly LinuxAreaBackend _real = new();
    private int _unmaps;

    /// <summary>Bytes mapped through this backend and not unmapped yet.</summary>
    public long LiveBytes { get; private set; }

    /// <summary>Whether the planned unmap was refused.</summary>
    public bool Refused { get; private set; }

    public int Map(in MapRequest request, out nint address)
    {
        if (request.Placement != Placement.Anywhere)
            return Track(_real.Map(request, out address), request.Size);
        int rc = _real.Map(request with { Size = request.Size + Period }, out nint raw);
        if (rc != 0)
        {
            address = 0;
            return rc;
        }
        // The first address at or above raw that is one page past a multiple of Period; the slack on both sides goes back.
        nint start = (nint)((((nuint)raw + Period - B_PAGE_SIZE) & ~(Period - 1)) + B_PAGE_SIZE);
        nuint before = (nuint)(start - raw), after = Period - before;
        if (before != 0)
            Trimmed(_real.Unmap(raw, before), raw, before);
        if (after != 0)
            Trimmed(_real.Unmap((nint)((nuint)start + request.Size), after), (nint)((nuint)start + request.Size), after);
        address = start;
        return Track(0, request.Size);
    }

    public int Unmap(nint address, nuint size)
    {
        if (++_unmaps == refuseUnmap)
        {
            Refused = true;
            return LinuxErrno.ENOMEM;
        }
        int rc = _real.Unmap(address, size);
        if (rc == 0)
            LiveBytes -= (long)size;
        return rc;
    }

    public int Protect(nint address, nuint size, PageAccess access) => _real.Protect(address, size, access);

    public int Lock(nint address, nuint size, bool onFault) => _real.Lock(address, size, onFault);

    /// <summary>Giving back the slack of an over-mapping must succeed: the test's own setup failed otherwise.</summary>
    private static void Trimmed(int rc, nint address, nuint size)
    {
        if (rc != 0)
            throw new InvalidOperationException($"expected: munmap of the slack 0x{address:x} ({size} bytes) returns 0; actual: {rc}");
    }

    private int Track(int rc, nuint size)
    {
        if (rc == 0)
            LiveBytes += (long)size;
        return rc;
    }
}
