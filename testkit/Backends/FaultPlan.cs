namespace AreaMalloc.TestKit.Backends;

/// <summary>The OS calls of <see cref="AreaMalloc.Areas.IAreaBackend"/>, as a fault plan names them.</summary>
public enum OsCall
{
    /// <summary>mmap.</summary>
    Map,

    /// <summary>munmap.</summary>
    Unmap,

    /// <summary>mprotect.</summary>
    Protect,

    /// <summary>mlock / mlock2.</summary>
    Lock,

    /// <summary>A shared memory object made (memfd_create, ftruncate, the seals).</summary>
    CreateMemory,

    /// <summary>A memory object opened from a process's descriptor (open of /proc/pid/fd/n).</summary>
    OpenMemory,

    /// <summary>A memory object's name read (readlink); the fault is "no name".</summary>
    MemoryName,

    /// <summary>A memory handle closed; the fault is an error reported after the handle was released, as Linux close(2) does.</summary>
    CloseMemory,
}

/// <summary>
/// Which OS call fails and how: the <paramref name="Nth"/> call (1-based) of kind <paramref name="Kind"/>, or of any
/// kind when <paramref name="Kind"/> is null, fails with <paramref name="Errno"/>; every other call goes to the OS.
/// <see cref="None"/> injects nothing (used to count the calls of a sequence).
/// </summary>
/// <param name="Nth">The 1-based index of the call that fails (0: none).</param>
/// <param name="Kind">The kind of call counted, or null for all calls.</param>
/// <param name="Errno">The positive Linux errno the failing call returns.</param>
public sealed record FaultPlan(long Nth, OsCall? Kind, int Errno)
{
    /// <summary>No fault.</summary>
    public static FaultPlan None { get; } = new(0, null, 0);

    /// <summary>For reports, e.g. <c>call #3 (unmap) fails with ENOMEM</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Nth == 0 ? "no fault"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(Kind is null ? "OS call" : Kind.Value.ToString().ToLowerInvariant() + " call")} #{Nth} fails with {Errnos.Name(Errno)}");
}

/// <summary>The errnos the fault plans draw from, with their names.</summary>
public static class Errnos
{
    /// <summary>ENOMEM, EPERM, EINVAL, EAGAIN, EACCES, EEXIST.</summary>
    public static IReadOnlyList<int> All { get; } = [12, 1, 22, 11, 13, 17];

    /// <summary>The symbolic name of <paramref name="errno"/>.</summary>
    /// <param name="errno">A Linux errno.</param>
    /// <returns>The name, or the number.</returns>
    public static string Name(int errno) => errno switch
    {
        12 => "ENOMEM",
        1 => "EPERM",
        22 => "EINVAL",
        11 => "EAGAIN",
        13 => "EACCES",
        17 => "EEXIST",
        _ => errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
