using System.Runtime.InteropServices;

namespace AreaMalloc.Areas;

/// <summary>
/// The OS calls <see cref="LinuxAreaBackend"/> makes, so that tests can stand in for the kernel (an old kernel that
/// treats MAP_FIXED_NOREPLACE as a hint, an address space whose gaps are taken before they can be mapped).
/// </summary>
internal interface ILinuxCalls
{
    /// <summary>mmap of private anonymous memory (fd -1, offset 0): the address, or <see cref="LinuxNative.MAP_FAILED"/>.</summary>
    nint Mmap(nint addr, nuint length, int prot, int flags);

    /// <summary>munmap: 0 or -1.</summary>
    int Munmap(nint addr, nuint length);

    /// <summary>mprotect: 0 or -1.</summary>
    int Mprotect(nint addr, nuint length, int prot);

    /// <summary>mlock: 0 or -1.</summary>
    int Mlock(nint addr, nuint length);

    /// <summary>mlock2: 0 or -1.</summary>
    int Mlock2(nint addr, nuint length, int flags);

    /// <summary>The errno of the last call that failed on this thread.</summary>
    int LastError();

    /// <summary>The lines of <c>/proc/self/maps</c>.</summary>
    IEnumerable<string> MapsLines();
}

/// <summary>The libc entry points the Linux backend calls. Nothing else in the library talks to the OS.</summary>
internal static partial class LinuxNative
{
    internal const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    internal const int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40;
    internal const int MAP_POPULATE = 0x8000, MAP_FIXED_NOREPLACE = 0x100000;
    internal const int MLOCK_ONFAULT = 1;
    internal static readonly nint MAP_FAILED = -1;

    /// <summary>libc itself.</summary>
    internal static ILinuxCalls Calls { get; } = new Libc();

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int Mprotect(nint addr, nuint length, int prot);

    [LibraryImport("libc", EntryPoint = "mlock", SetLastError = true)]
    internal static partial int Mlock(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "mlock2", SetLastError = true)]
    internal static partial int Mlock2(nint addr, nuint length, int flags);

    internal static int ToProt(PageAccess access) =>
        ((access & PageAccess.Read) != 0 ? PROT_READ : 0)
        | ((access & PageAccess.Write) != 0 ? PROT_WRITE : 0)
        | ((access & PageAccess.Execute) != 0 ? PROT_EXEC : 0);

    private sealed class Libc : ILinuxCalls
    {
        public nint Mmap(nint addr, nuint length, int prot, int flags) =>
            // Stryker disable once Unary : Linux ignores fd for MAP_ANONYMOUS (mmap(2): fd is -1 only for portability), so fd +1 maps the same memory
            LinuxNative.Mmap(addr, length, prot, flags, -1, 0);

        public int Munmap(nint addr, nuint length) => LinuxNative.Munmap(addr, length);

        public int Mprotect(nint addr, nuint length, int prot) => LinuxNative.Mprotect(addr, length, prot);

        public int Mlock(nint addr, nuint length) => LinuxNative.Mlock(addr, length);

        public int Mlock2(nint addr, nuint length, int flags) => LinuxNative.Mlock2(addr, length, flags);

        public int LastError() => Marshal.GetLastPInvokeError();

        public IEnumerable<string> MapsLines() => File.ReadLines("/proc/self/maps");
    }
}
