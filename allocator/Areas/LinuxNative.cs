using System.Runtime.InteropServices;

namespace AreaMalloc.Areas;

/// <summary>
/// The OS calls <see cref="LinuxAreaBackend"/> makes, so that tests can stand in for the kernel (an old kernel that
/// treats MAP_FIXED_NOREPLACE as a hint, an address space whose gaps are taken before they can be mapped, a kernel
/// without MFD_NOEXEC_SEAL, a memory object that fails to be sized or sealed).
/// </summary>
internal interface ILinuxCalls
{
    /// <summary>mmap at offset 0 of <paramref name="fd"/> (-1 with MAP_ANONYMOUS): the address, or <see cref="LinuxNative.MAP_FAILED"/>.</summary>
    nint Mmap(nint addr, nuint length, int prot, int flags, int fd);

    /// <summary>munmap: 0 or -1.</summary>
    int Munmap(nint addr, nuint length);

    /// <summary>mprotect: 0 or -1.</summary>
    int Mprotect(nint addr, nuint length, int prot);

    /// <summary>mlock: 0 or -1.</summary>
    int Mlock(nint addr, nuint length);

    /// <summary>mlock2: 0 or -1.</summary>
    int Mlock2(nint addr, nuint length, int flags);

    /// <summary>memfd_create: a file descriptor, or -1.</summary>
    int MemfdCreate(string name, uint flags);

    /// <summary>ftruncate: 0 or -1.</summary>
    int Ftruncate(int fd, long length);

    /// <summary>fcntl with an int argument: the call's result, or -1.</summary>
    int Fcntl(int fd, int cmd, int arg);

    /// <summary>open (no mode: nothing is created): a file descriptor, or -1.</summary>
    int Open(string path, int flags);

    /// <summary>close: 0 or -1 (the descriptor is released either way, except for EBADF).</summary>
    int Close(int fd);

    /// <summary>readlink: the link's target, or null when <paramref name="path"/> is not a link that can be read.</summary>
    string? ReadLink(string path);

    /// <summary>The errno of the last call that failed on this thread.</summary>
    int LastError();

    /// <summary>The lines of <c>/proc/self/maps</c>.</summary>
    IEnumerable<string> MapsLines();
}

/// <summary>The libc entry points the Linux backend calls. Nothing else in the library talks to the OS.</summary>
internal static partial class LinuxNative
{
    internal const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    internal const int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40;
    internal const int MAP_POPULATE = 0x8000, MAP_FIXED_NOREPLACE = 0x100000;
    internal const int MLOCK_ONFAULT = 1;
    internal const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_NOEXEC_SEAL = 8;
    internal const int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4;
    internal const int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;
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

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial nint ReadLink(string path, byte* buffer, nuint size);

    internal static int ToProt(PageAccess access) =>
        ((access & PageAccess.Read) != 0 ? PROT_READ : 0)
        | ((access & PageAccess.Write) != 0 ? PROT_WRITE : 0)
        | ((access & PageAccess.Execute) != 0 ? PROT_EXEC : 0);

    private sealed class Libc : ILinuxCalls
    {
        public nint Mmap(nint addr, nuint length, int prot, int flags, int fd) => LinuxNative.Mmap(addr, length, prot, flags, fd, 0);

        public int Munmap(nint addr, nuint length) => LinuxNative.Munmap(addr, length);

        public int Mprotect(nint addr, nuint length, int prot) => LinuxNative.Mprotect(addr, length, prot);

        public int Mlock(nint addr, nuint length) => LinuxNative.Mlock(addr, length);

        public int Mlock2(nint addr, nuint length, int flags) => LinuxNative.Mlock2(addr, length, flags);

        public int MemfdCreate(string name, uint flags) => LinuxNative.MemfdCreate(name, flags);

        public int Ftruncate(int fd, long length) => LinuxNative.Ftruncate(fd, length);

        public int Fcntl(int fd, int cmd, int arg) => LinuxNative.Fcntl(fd, cmd, arg);

        public int Open(string path, int flags) => LinuxNative.Open(path, flags);

        public int Close(int fd) => LinuxNative.Close(fd);

        public unsafe string? ReadLink(string path)
        {
            // A memfd's link reads "/memfd:<name> (deleted)": its name is at most 249 bytes, so 512 always holds it.
            byte* buffer = stackalloc byte[512];
            nint length = LinuxNative.ReadLink(path, buffer, 512);
            // Stryker disable once Equality : no /proc/self/fd link has an empty target (docs/MUTATION.md#equivalent-bound)
            return length < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)length);
        }

        public int LastError() => Marshal.GetLastPInvokeError();

        public IEnumerable<string> MapsLines() => File.ReadLines("/proc/self/maps");
    }
}
