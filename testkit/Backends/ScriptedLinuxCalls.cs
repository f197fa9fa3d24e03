using AreaMalloc.Areas;

namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// A stand-in for the kernel under <see cref="LinuxAreaBackend"/>: every call is recorded, and each one answers as
/// its delegate says (by default: success, without touching real memory). For facts about what the backend does
/// with the kernel's answers that a real kernel will not give on demand: an old kernel that treats
/// MAP_FIXED_NOREPLACE as a hint, gaps that are taken before they can be mapped, a stale errno after a success, a
/// kernel without MFD_NOEXEC_SEAL, a memory object that cannot be sized or sealed.
/// </summary>
internal sealed class ScriptedLinuxCalls : ILinuxCalls
{
    /// <summary>More calls than any correct use makes: past it a call throws, so that a runaway loop fails at once.</summary>
    public const int CallLimit = 1000;

    public List<string> Calls { get; } = [];

    /// <summary>mmap(addr, length, prot, flags) -> address or -1.</summary>
    public Func<nint, nuint, int, int, nint> OnMmap { get; set; } = (addr, _, _, _) => addr != 0 ? addr : unchecked((nint)0x7f00_0000_0000);

    public Func<nint, nuint, int> OnMunmap { get; set; } = (_, _) => 0;

    public Func<nint, nuint, int, int> OnMprotect { get; set; } = (_, _, _) => 0;

    public Func<nint, nuint, int> OnMlock { get; set; } = (_, _) => 0;

    public Func<nint, nuint, int, int> OnMlock2 { get; set; } = (_, _, _) => 0;

    /// <summary>memfd_create(name, flags) -> fd or -1 (by default a new descriptor from 100 on).</summary>
    public Func<string, uint, int> OnMemfdCreate { get; set; }

    public Func<int, long, int> OnFtruncate { get; set; } = (_, _) => 0;

    public Func<int, int, int, int> OnFcntl { get; set; } = (_, _, _) => 0;

    /// <summary>open(path, flags) -> fd or -1 (by default a new descriptor from 100 on).</summary>
    public Func<string, int, int> OnOpen { get; set; }

    public Func<int, int> OnClose { get; set; } = _ => 0;

    public Func<string, string?> OnReadLink { get; set; } = _ => null;

    private int nextFd = 100;

    public ScriptedLinuxCalls()
    {
        OnMemfdCreate = (_, _) => nextFd++;
        OnOpen = (_, _) => nextFd++;
    }

    /// <summary>What errno holds (also after a success: POSIX leaves it unspecified then).</summary>
    public int Errno { get; set; }

    public IReadOnlyList<string> Maps { get; set; } = [];

    /// <summary>Recorded as <c>mmap addr length prot= flags=</c>, with <c> fd=N</c> for a file mapping.</summary>
    public nint Mmap(nint addr, nuint length, int prot, int flags, int fd) =>
        Record($"mmap 0x{addr:x} {length} prot={prot} flags=0x{flags:x}{(fd >= 0 ? $" fd={fd}" : "")}", () => OnMmap(addr, length, prot, flags));

    public int Munmap(nint addr, nuint length) => Record($"munmap 0x{addr:x} {length}", () => OnMunmap(addr, length));

    public int Mprotect(nint addr, nuint length, int prot) => Record($"mprotect 0x{addr:x} {length} {prot}", () => OnMprotect(addr, length, prot));

    public int Mlock(nint addr, nuint length) => Record($"mlock 0x{addr:x} {length}", () => OnMlock(addr, length));

    public int Mlock2(nint addr, nuint length, int flags) => Record($"mlock2 0x{addr:x} {length} {flags}", () => OnMlock2(addr, length, flags));

    public int MemfdCreate(string name, uint flags) => Record($"memfd_create {name} 0x{flags:x}", () => OnMemfdCreate(name, flags));

    public int Ftruncate(int fd, long length) => Record($"ftruncate {fd} {length}", () => OnFtruncate(fd, length));

    public int Fcntl(int fd, int cmd, int arg) => Record($"fcntl {fd} {cmd} 0x{arg:x}", () => OnFcntl(fd, cmd, arg));

    public int Open(string path, int flags) => Record($"open {path} 0x{flags:x}", () => OnOpen(path, flags));

    public int Close(int fd) => Record($"close {fd}", () => OnClose(fd));

    public string? ReadLink(string path) => Record($"readlink {path}", () => OnReadLink(path));

    public int LastError() => Errno;

    public IEnumerable<string> MapsLines()
    {
        Record("read maps", () => 0);
        return Maps;
    }

    /// <summary>The recorded calls that start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> CallsOf(string prefix) => Calls.Where(c => c.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    private T Record<T>(string call, Func<T> answer)
    {
        Calls.Add(call);
        if (Calls.Count > CallLimit)
            throw new InvalidOperationException($"more than {CallLimit} OS calls: a loop that should stop did not; last: {call}");
        return answer();
    }
}
