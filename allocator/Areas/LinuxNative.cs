using System.Runtime.InteropServices;

namespace AreaMalloc.Areas;

/// <summary>The libc entry points the Linux backend calls. Nothing else in the library talks to the OS.</summary>
internal static partial class LinuxNative
{
    internal const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    internal const int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40;
    internal const int MAP_POPULATE = 0x8000, MAP_FIXED_NOREPLACE = 0x100000;
    internal const int MLOCK_ONFAULT = 1;
    internal static readonly nint MAP_FAILED = -1;

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
}
