using System.Diagnostics.CodeAnalysis;

namespace AreaMalloc.Be;

/// <summary>
/// The constants of <c>be/drivers/area_malloc.h</c>, <c>OS.h</c> and <c>Errors.h</c> with their Be names
/// and Haiku values (the BeOS R5 values agree). Import with <c>using static AreaMalloc.Be.BeConstants;</c>.
/// </summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Be API names are kept verbatim.")]
public static class BeConstants
{
    /// <summary>The name that identifies the area_malloc module to <c>get_module</c>.</summary>
    public const string B_AREA_MALLOC_MODULE_NAME = "generic/area_malloc/v1";

    /// <summary>The page size: every area is a positive multiple of it.</summary>
    public const int B_PAGE_SIZE = 4096;

    /// <summary>Longest area name kept (longer names are truncated), as in <c>B_OS_NAME_LENGTH</c>.</summary>
    public const int B_OS_NAME_LENGTH = 32;

    /// <summary>addressSpec: place the area anywhere.</summary>
    public const uint B_ANY_ADDRESS = 0;
    /// <summary>addressSpec: place the area exactly at the given address, or fail.</summary>
    public const uint B_EXACT_ADDRESS = 1;
    /// <summary>addressSpec: place the area at or above the given address.</summary>
    public const uint B_BASE_ADDRESS = 2;
    /// <summary>addressSpec: clone_area only: place the clone at the source area's address (in another process); invalid when creating.</summary>
    public const uint B_CLONE_ADDRESS = 3;
    /// <summary>addressSpec: anywhere in the kernel's space (anywhere, in this user-space port).</summary>
    public const uint B_ANY_KERNEL_ADDRESS = 4;
    /// <summary>addressSpec (Haiku): anywhere, aligned to the area's size rounded up to a power of two.</summary>
    public const uint B_ANY_KERNEL_BLOCK_ADDRESS = 5;

    /// <summary>lockSpec: pages are mapped lazily and may be paged out.</summary>
    public const uint B_NO_LOCK = 0;
    /// <summary>lockSpec: pages are locked in memory as they are first touched.</summary>
    public const uint B_LAZY_LOCK = 1;
    /// <summary>lockSpec: every page is resident and locked from creation on.</summary>
    public const uint B_FULL_LOCK = 2;
    /// <summary>lockSpec: locked and physically contiguous (locked and resident, in user space).</summary>
    public const uint B_CONTIGUOUS = 3;
    /// <summary>lockSpec: locked in low memory (locked, below 2 GiB of address space, in user space).</summary>
    public const uint B_LOMEM = 4;

    /// <summary>protection: the user may read the area.</summary>
    public const uint B_READ_AREA = 1;
    /// <summary>protection: the user may write the area.</summary>
    public const uint B_WRITE_AREA = 2;
    /// <summary>protection (Haiku): the user may execute code in the area.</summary>
    public const uint B_EXECUTE_AREA = 4;
    /// <summary>protection: the kernel may read the area.</summary>
    public const uint B_KERNEL_READ_AREA = 16;
    /// <summary>protection: the kernel may write the area.</summary>
    public const uint B_KERNEL_WRITE_AREA = 32;
    /// <summary>protection: other teams (processes) may clone the area; the area is made over shared memory so that it can be mapped again.</summary>
    public const uint B_USER_CLONEABLE_AREA = 256;
    /// <summary>protection (Haiku's name for <see cref="B_USER_CLONEABLE_AREA"/>).</summary>
    public const uint B_CLONEABLE_AREA = 256;

    /// <summary>status_t: success.</summary>
    public const int B_OK = 0;
    /// <summary>status_t: a generic failure.</summary>
    public const int B_ERROR = -1;
    /// <summary>The base of the general error codes.</summary>
    public const int B_GENERAL_ERROR_BASE = int.MinValue;
    /// <summary>status_t: out of memory (or the OS refused to lock it).</summary>
    public const int B_NO_MEMORY = B_GENERAL_ERROR_BASE + 0;
    /// <summary>status_t: an I/O error.</summary>
    public const int B_IO_ERROR = B_GENERAL_ERROR_BASE + 1;
    /// <summary>status_t: the operation is not permitted.</summary>
    public const int B_PERMISSION_DENIED = B_GENERAL_ERROR_BASE + 2;
    /// <summary>status_t: an argument is invalid.</summary>
    public const int B_BAD_VALUE = B_GENERAL_ERROR_BASE + 5;
    /// <summary>status_t: the operation is not allowed (Haiku: clone_area of an area that is not cloneable, or with more rights than its source gives).</summary>
    public const int B_NOT_ALLOWED = B_GENERAL_ERROR_BASE + 15;
    /// <summary>The base of the storage kit's error codes.</summary>
    public const int B_STORAGE_ERROR_BASE = B_GENERAL_ERROR_BASE + 0x6000;
    /// <summary>status_t: no such entry (get_module of an unknown name, as in Haiku).</summary>
    public const int B_ENTRY_NOT_FOUND = B_STORAGE_ERROR_BASE + 3;

    /// <summary>The protection bits this port knows; any other bit makes a creation fail with B_BAD_VALUE.</summary>
    public const uint KnownProtectionBits =
        B_READ_AREA | B_WRITE_AREA | B_EXECUTE_AREA | B_KERNEL_READ_AREA | B_KERNEL_WRITE_AREA | B_USER_CLONEABLE_AREA;
}
