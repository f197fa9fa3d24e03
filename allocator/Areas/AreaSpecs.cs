using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Areas;

/// <summary>
/// How create_area's address spec, lock spec and protection map to Linux. One place, so docs/SEMANTICS.md's Areas table
/// and the code cannot drift apart:
/// <list type="table">
/// <item><term>B_ANY_ADDRESS, B_ANY_KERNEL_ADDRESS</term><description>mmap anywhere.</description></item>
/// <item><term>B_ANY_KERNEL_BLOCK_ADDRESS</term><description>anywhere, aligned to the size rounded up to a power of two (over-map, trim).</description></item>
/// <item><term>B_EXACT_ADDRESS</term><description>MAP_FIXED_NOREPLACE at the (page-aligned) address, else B_NO_MEMORY; nothing clobbered.</description></item>
/// <item><term>B_BASE_ADDRESS</term><description>at or above the address (hint, then the first gap in /proc/self/maps).</description></item>
/// <item><term>B_CLONE_ADDRESS, other values</term><description>B_BAD_VALUE (B_CLONE_ADDRESS is for clone_area, where it means the source's address).</description></item>
/// <item><term>B_NO_LOCK</term><description>plain lazy, pageable mapping.</description></item>
/// <item><term>B_LAZY_LOCK</term><description>mlock2(MLOCK_ONFAULT): locked as pages are first touched.</description></item>
/// <item><term>B_FULL_LOCK</term><description>MAP_POPULATE + mlock; a refusal (RLIMIT_MEMLOCK) is B_NO_MEMORY and unmaps.</description></item>
/// <item><term>B_CONTIGUOUS</term><description>as B_FULL_LOCK: user space cannot ask for physical contiguity.</description></item>
/// <item><term>B_LOMEM</term><description>as B_FULL_LOCK, placed below 2 GiB of address space (MAP_32BIT).</description></item>
/// <item><term>protection</term><description>this process is both user and kernel: any READ bit gives PROT_READ, any WRITE bit PROT_WRITE (and read), B_EXECUTE_AREA PROT_EXEC; unknown bits are B_BAD_VALUE.</description></item>
/// <item><term>B_CLONEABLE_AREA</term><description>the area is shared: its pages are a memory object (a memfd) mapped MAP_SHARED, which clone_area maps again; without it the area is private anonymous memory, which nothing can map again.</description></item>
/// </list>
/// </summary>
public static class AreaSpecs
{
    /// <summary>True for the address specs that place an area anywhere.</summary>
    public static bool IsAnyAddress(uint addressSpec) =>
        addressSpec is B_ANY_ADDRESS or B_ANY_KERNEL_ADDRESS or B_ANY_KERNEL_BLOCK_ADDRESS;

    /// <summary>True when <paramref name="lockSpec"/> is one of the five Be lock specs.</summary>
    public static bool IsValidLock(uint lockSpec) => lockSpec <= B_LOMEM;

    /// <summary>True when <paramref name="protection"/> has only known bits.</summary>
    public static bool IsValidProtection(uint protection) => (protection & ~KnownProtectionBits) == 0;

    /// <summary>
    /// True when an area of this protection is shared memory: B_CLONEABLE_AREA asks for it, because the Be Book makes the
    /// protections an area is created with decide whether what it holds can be shared.
    /// </summary>
    public static bool IsShared(uint protection) => (protection & B_CLONEABLE_AREA) != 0;

    /// <summary>True when the protection lets this process write the area (user or kernel write).</summary>
    public static bool IsWritable(uint protection) => (protection & (B_WRITE_AREA | B_KERNEL_WRITE_AREA)) != 0;

    /// <summary>The Linux access rights for a Be protection.</summary>
    public static PageAccess ToAccess(uint protection)
    {
        // The three flags are distinct bits, each added at most once to None: |= and ^= (the mutant) give the same access.
        var access = PageAccess.None;
        if ((protection & (B_READ_AREA | B_KERNEL_READ_AREA)) != 0 || IsWritable(protection))
            // Stryker disable once Assignment : the flag is clear when added (docs/MUTATION.md#set-once)
            access |= PageAccess.Read;
        if (IsWritable(protection))
            // Stryker disable once Assignment : the flag is clear when added (docs/MUTATION.md#set-once)
            access |= PageAccess.Write;
        if ((protection & B_EXECUTE_AREA) != 0)
            // Stryker disable once Assignment : the flag is clear when added (docs/MUTATION.md#set-once)
            access |= PageAccess.Execute;
        return access;
    }

    /// <summary>True when the lock spec wants every page resident and locked at creation.</summary>
    public static bool LocksUpFront(uint lockSpec) => lockSpec is B_FULL_LOCK or B_CONTIGUOUS or B_LOMEM;

    /// <summary>Maps a failed OS call's errno to the status create_area and clone_area report.</summary>
    public static int StatusFromErrno(int errno) => errno switch
    {
        LinuxErrno.EINVAL => B_BAD_VALUE,
        LinuxErrno.EACCES => B_PERMISSION_DENIED,
        LinuxErrno.ENOENT => B_BAD_VALUE, // no such memory object: the area a clone names does not exist (any more)
        _ => B_NO_MEMORY, // ENOMEM, EAGAIN, EEXIST (range taken), EPERM (lock refused): no memory to be had there
    };
}
