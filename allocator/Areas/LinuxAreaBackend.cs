using System.Globalization;

namespace AreaMalloc.Areas;

/// <summary>
/// The real backend: private anonymous mappings through mmap/munmap/mprotect/mlock/mlock2, and shared memory as
/// memfds (memfd_create, sized by ftruncate, sealed against resizing) mapped <c>MAP_SHARED</c>, opened from another
/// process through <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c>.
/// Placement: <see cref="Placement.Exact"/> uses <c>MAP_FIXED_NOREPLACE</c> (so an existing mapping is
/// never clobbered); <see cref="Placement.AtOrAbove"/> tries the address as a hint, then the first gap
/// at or above it found in <c>/proc/self/maps</c>; <see cref="Placement.Low"/> uses <c>MAP_32BIT</c>;
/// <see cref="Placement.Replace"/> uses <c>MAP_FIXED</c>.
/// Every OS call goes through <see cref="ILinuxCalls"/> (libc itself, or a test's stand-in that records the calls
/// or answers as an old kernel or a crowded address space would).
/// </summary>
public sealed class LinuxAreaBackend : IAreaBackend
{
    /// <summary>How many gaps <see cref="Placement.AtOrAbove"/> tries before it gives up with ENOMEM.</summary>
    internal const int AtOrAboveAttempts = 8;

    private readonly ILinuxCalls _os;

    /// <summary>The backend over libc.</summary>
    public LinuxAreaBackend()
        : this(LinuxNative.Calls)
    {
    }

    /// <summary>A backend over <paramref name="os"/> (tests).</summary>
    internal LinuxAreaBackend(ILinuxCalls os)
    {
        ArgumentNullException.ThrowIfNull(os);
        _os = os;
    }

    /// <summary>The name a memfd's link in <c>/proc/self/fd</c> starts with; the link ends with <see cref="MemfdLinkSuffix"/>.</summary>
    internal const string MemfdLinkPrefix = "/memfd:";

    /// <summary>How a memfd's link ends: a memfd has no path, so the kernel shows it as deleted.</summary>
    internal const string MemfdLinkSuffix = " (deleted)";

    /// <inheritdoc />
    public int Map(in MapRequest request, out nint address)
    {
        int prot = LinuxNative.ToProt(request.Access);
        int flags = (request.Memory is null ? LinuxNative.MAP_PRIVATE | LinuxNative.MAP_ANONYMOUS : LinuxNative.MAP_SHARED)
            | (request.Populate ? LinuxNative.MAP_POPULATE : 0);
        // Stryker disable once Unary : Linux ignores fd for MAP_ANONYMOUS (docs/MUTATION.md#anonymous-fd)
        int fd = request.Memory ?? -1;
        switch (request.Placement)
        {
            case Placement.Exact:
                return MapExact(request.Address, request.Size, prot, flags, fd, out address);
            case Placement.AtOrAbove:
                return MapAtOrAbove(request.Address, request.Size, prot, flags, fd, out address);
            case Placement.Low:
                return MapAt(0, request.Size, prot, flags | LinuxNative.MAP_32BIT, fd, out address);
            case Placement.Replace:
                return MapAt(request.Address, request.Size, prot, flags | LinuxNative.MAP_FIXED, fd, out address);
            default:
                return MapAt(0, request.Size, prot, flags, fd, out address);
        }
    }

    /// <inheritdoc />
    public int CreateMemory(string name, nuint size, out int memory)
    {
        // MFD_NOEXEC_SEAL (Linux 6.3) keeps the object from ever being executed as a program (mapping it executable
        // is still allowed) and is what a kernel with vm.memfd_noexec = 2 demands; older kernels refuse the flag.
        memory = _os.MemfdCreate(name, LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING | LinuxNative.MFD_NOEXEC_SEAL);
        if (memory < 0 && _os.LastError() == LinuxErrno.EINVAL)
            memory = _os.MemfdCreate(name, LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING);
        if (memory < 0)
        {
            memory = -1;
            return _os.LastError();
        }
        // Sealed at its size: nobody holding the object (a process that cloned it) can shrink it under the pages others map.
        if (_os.Ftruncate(memory, (long)size) != 0
            || _os.Fcntl(memory, LinuxNative.F_ADD_SEALS, LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_SEAL) < 0)
        {
            int errno = _os.LastError();
            _os.Close(memory);
            memory = -1;
            return errno;
        }
        return 0;
    }

    /// <inheritdoc />
    public int OpenMemory(int processId, int memory, bool writable, out int opened)
    {
        string path = string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/fd/{memory}");
        opened = _os.Open(path, (writable ? LinuxNative.O_RDWR : LinuxNative.O_RDONLY) | LinuxNative.O_CLOEXEC);
        if (opened >= 0)
            return 0;
        opened = -1;
        return _os.LastError();
    }

    /// <inheritdoc />
    public string? MemoryName(int memory)
    {
        string? link = _os.ReadLink(string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{memory}"));
        return link is not null && link.StartsWith(MemfdLinkPrefix, StringComparison.Ordinal) && link.EndsWith(MemfdLinkSuffix, StringComparison.Ordinal)
            ? link[MemfdLinkPrefix.Length..^MemfdLinkSuffix.Length]
            : null;
    }

    /// <inheritdoc />
    public int CloseMemory(int memory) => _os.Close(memory) == 0 ? 0 : _os.LastError();

    /// <inheritdoc />
    public int Unmap(nint address, nuint size) =>
        _os.Munmap(address, size) == 0 ? 0 : _os.LastError();

    /// <inheritdoc />
    public int Protect(nint address, nuint size, PageAccess access) =>
        _os.Mprotect(address, size, LinuxNative.ToProt(access)) == 0 ? 0 : _os.LastError();

    /// <inheritdoc />
    public int Lock(nint address, nuint size, bool onFault)
    {
        int rc = onFault
            ? _os.Mlock2(address, size, LinuxNative.MLOCK_ONFAULT)
            : _os.Mlock(address, size);
        return rc == 0 ? 0 : _os.LastError();
    }

    private int MapAt(nint hint, nuint size, int prot, int flags, int fd, out nint address)
    {
        nint result = _os.Mmap(hint, size, prot, flags, fd);
        if (result == LinuxNative.MAP_FAILED)
        {
            address = 0;
            return _os.LastError();
        }
        address = result;
        return 0;
    }

    private int MapExact(nint at, nuint size, int prot, int flags, int fd, out nint address)
    {
        int rc = MapAt(at, size, prot, flags | LinuxNative.MAP_FIXED_NOREPLACE, fd, out address);
        if (rc == 0 && address != at)
        {
            // A kernel older than 4.17 treats MAP_FIXED_NOREPLACE as a hint: undo and report the range taken.
            _os.Munmap(address, size);
            address = 0;
            return LinuxErrno.EEXIST;
        }
        return rc;
    }

    private int MapAtOrAbove(nint at, nuint size, int prot, int flags, int fd, out nint address)
    {
        int rc = MapAt(at, size, prot, flags, fd, out address);
        if (rc != 0)
            return rc;
        // Stryker disable once Equality : an honoured hint is found again by the gap search (docs/MUTATION.md#equivalent-bound)
        if ((nuint)address >= (nuint)at)
            return 0;
        _os.Munmap(address, size);
        for (int attempt = 0; attempt < AtOrAboveAttempts; attempt++)
        {
            nuint gap = FindGapAtOrAbove(_os.MapsLines(), (nuint)at, size);
            if (gap == 0)
                break;
            rc = MapExact((nint)gap, size, prot, flags, fd, out address);
            if (rc != LinuxErrno.EEXIST)
                return rc; // mapped, or failed for a reason another gap would not fix
        }
        address = 0;
        return LinuxErrno.ENOMEM;
    }

    /// <summary>
    /// The first address at or above <paramref name="min"/> with <paramref name="size"/> free bytes, given the lines of
    /// <c>/proc/self/maps</c> (<c>start-end perms ...</c>, in hex, in address order); 0 if none.
    /// </summary>
    internal static nuint FindGapAtOrAbove(IEnumerable<string> mapsLines, nuint min, nuint size)
    {
        nuint candidate = min;
        foreach (string line in mapsLines)
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            // Stryker disable once Equality : space == dash cannot happen (docs/MUTATION.md#equivalent-bound)
            if (dash <= 0 || space <= dash)
                continue;
            nuint start = nuint.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            nuint end = nuint.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            // Stryker disable once Equality : end == candidate leaves candidate as it was (docs/MUTATION.md#equivalent-bound)
            if (end <= candidate)
                continue;
            // Stryker disable once Equality : a gap of 0 bytes fits no size (docs/MUTATION.md#equivalent-bound)
            if (start >= candidate && start - candidate >= size)
                return candidate;
            candidate = end;
        }
        // Past the last mapping: user space ends at 2^47 on x86_64 with 4-level paging.
        ulong userSpaceEnd = 1UL << 47;
        return (ulong)candidate + size <= userSpaceEnd ? candidate : 0;
    }
}
