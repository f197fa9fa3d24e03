using System.Globalization;
using System.Runtime.InteropServices;

namespace AreaMalloc.Areas;

/// <summary>
/// The real backend: private anonymous mappings through mmap/munmap/mprotect/mlock/mlock2.
/// Placement: <see cref="Placement.Exact"/> uses <c>MAP_FIXED_NOREPLACE</c> (so an existing mapping is
/// never clobbered); <see cref="Placement.AtOrAbove"/> tries the address as a hint, then the first gap
/// at or above it found in <c>/proc/self/maps</c>; <see cref="Placement.Low"/> uses <c>MAP_32BIT</c>.
/// </summary>
public sealed class LinuxAreaBackend : IAreaBackend
{
    private const int AtOrAboveAttempts = 8;

    /// <inheritdoc />
    public int Map(in MapRequest request, out nint address)
    {
        int prot = LinuxNative.ToProt(request.Access);
        int flags = LinuxNative.MAP_PRIVATE | LinuxNative.MAP_ANONYMOUS
            | (request.Populate ? LinuxNative.MAP_POPULATE : 0);
        switch (request.Placement)
        {
            case Placement.Exact:
                return MapExact(request.Address, request.Size, prot, flags, out address);
            case Placement.AtOrAbove:
                return MapAtOrAbove(request.Address, request.Size, prot, flags, out address);
            case Placement.Low:
                return MapAt(0, request.Size, prot, flags | LinuxNative.MAP_32BIT, out address);
            default:
                return MapAt(0, request.Size, prot, flags, out address);
        }
    }

    /// <inheritdoc />
    public int Unmap(nint address, nuint size) =>
        LinuxNative.Munmap(address, size) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <inheritdoc />
    public int Protect(nint address, nuint size, PageAccess access) =>
        LinuxNative.Mprotect(address, size, LinuxNative.ToProt(access)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <inheritdoc />
    public int Lock(nint address, nuint size, bool onFault)
    {
        int rc = onFault
            ? LinuxNative.Mlock2(address, size, LinuxNative.MLOCK_ONFAULT)
            : LinuxNative.Mlock(address, size);
        return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static int MapAt(nint hint, nuint size, int prot, int flags, out nint address)
    {
        nint result = LinuxNative.Mmap(hint, size, prot, flags, -1, 0);
        if (result == LinuxNative.MAP_FAILED)
        {
            address = 0;
            return Marshal.GetLastPInvokeError();
        }
        address = result;
        return 0;
    }

    private static int MapExact(nint at, nuint size, int prot, int flags, out nint address)
    {
        int rc = MapAt(at, size, prot, flags | LinuxNative.MAP_FIXED_NOREPLACE, out address);
        if (rc == 0 && address != at)
        {
            // A kernel older than 4.17 treats MAP_FIXED_NOREPLACE as a hint: undo and report the range taken.
            LinuxNative.Munmap(address, size);
            address = 0;
            return LinuxErrno.EEXIST;
        }
        return rc;
    }

    private static int MapAtOrAbove(nint at, nuint size, int prot, int flags, out nint address)
    {
        int rc = MapAt(at, size, prot, flags, out address);
        if (rc != 0)
            return rc;
        if ((nuint)address >= (nuint)at)
            return 0;
        LinuxNative.Munmap(address, size);
        for (int attempt = 0; attempt < AtOrAboveAttempts; attempt++)
        {
            nuint gap = FindGapAtOrAbove((nuint)at, size);
            if (gap == 0)
                break;
            rc = MapExact((nint)gap, size, prot, flags, out address);
            if (rc != LinuxErrno.EEXIST)
                return rc; // mapped, or failed for a reason another gap would not fix
        }
        address = 0;
        return LinuxErrno.ENOMEM;
    }

    /// <summary>The first address at or above <paramref name="min"/> with <paramref name="size"/> free bytes, from /proc/self/maps; 0 if none.</summary>
    private static nuint FindGapAtOrAbove(nuint min, nuint size)
    {
        nuint candidate = min;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash <= 0 || space <= dash)
                continue;
            nuint start = nuint.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            nuint end = nuint.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (end <= candidate)
                continue;
            if (start >= candidate && start - candidate >= size)
                return candidate;
            candidate = end;
        }
        // Past the last mapping: user space ends at 2^47 on x86_64 with 4-level paging.
        ulong userSpaceEnd = 1UL << 47;
        return (ulong)candidate + size <= userSpaceEnd ? candidate : 0;
    }
}
