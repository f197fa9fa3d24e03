namespace AreaMalloc.Areas;

/// <summary>The Linux errno values the area layer tells apart (x86_64 and arm64 agree on these).</summary>
public static class LinuxErrno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory (for example: no such handle in another process).</summary>
    public const int ENOENT = 2;
    /// <summary>Try again (for example: lock limit reached).</summary>
    public const int EAGAIN = 11;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>The range is already mapped (MAP_FIXED_NOREPLACE).</summary>
    public const int EEXIST = 17;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>Function not implemented (a backend without shared memory).</summary>
    public const int ENOSYS = 38;
}
