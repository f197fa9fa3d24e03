namespace AreaMalloc.Models;

/// <summary>
/// The Be numbers the model speaks in (values from FACTS.md: Haiku's OS.h, KernelExport.h and
/// Errors.h, which agree with BeOS R5). One place, so no check spells a literal.
/// </summary>
public static class BeConstants
{
    /// <summary>The name <c>get_module</c> accepts: <c>B_AREA_MALLOC_MODULE_NAME</c>.</summary>
    public const string ModuleName = "generic/area_malloc/v1";

    /// <summary><c>B_PAGE_SIZE</c>: pool sizes are positive multiples of it, pool bases are aligned to it.</summary>
    public const ulong PageSize = 4096;

    /// <summary>Every block the allocator returns is aligned to this many bytes.</summary>
    public const ulong BlockAlignment = 16;

    /// <summary><c>B_OK</c>.</summary>
    public const int StatusOk = 0;

    /// <summary><c>B_ERROR</c>: what <c>delete_pool</c> returns for an id that is not a live pool.</summary>
    public const int StatusError = -1;

    /// <summary><c>B_BAD_VALUE</c> (B_GENERAL_ERROR_BASE + 5): <c>put_module</c> when the module is not held.</summary>
    public const int StatusBadValue = -2147483643;

    /// <summary><c>B_ENTRY_NOT_FOUND</c> (B_STORAGE_ERROR_BASE + 3): <c>get_module</c> of an unknown name.</summary>
    public const int StatusEntryNotFound = -2147459069;

    /// <summary><c>B_ANY_ADDRESS</c>.</summary>
    public const uint AnyAddress = 0;

    /// <summary><c>B_EXACT_ADDRESS</c>: impossible for a pool (the implicit address is 0).</summary>
    public const uint ExactAddress = 1;

    /// <summary><c>B_BASE_ADDRESS</c>: at or above the implicit address 0, that is anywhere.</summary>
    public const uint BaseAddress = 2;

    /// <summary><c>B_CLONE_ADDRESS</c>: meaningless without an area to clone; refused.</summary>
    public const uint CloneAddress = 3;

    /// <summary><c>B_ANY_KERNEL_ADDRESS</c>.</summary>
    public const uint AnyKernelAddress = 4;

    /// <summary><c>B_ANY_KERNEL_BLOCK_ADDRESS</c> (Haiku).</summary>
    public const uint AnyKernelBlockAddress = 5;

    /// <summary><c>B_NO_LOCK</c>.</summary>
    public const uint NoLock = 0;

    /// <summary><c>B_LAZY_LOCK</c>.</summary>
    public const uint LazyLock = 1;

    /// <summary><c>B_FULL_LOCK</c>: the OS may refuse to lock, so NULL is allowed.</summary>
    public const uint FullLock = 2;

    /// <summary><c>B_CONTIGUOUS</c>: the OS may refuse to lock, so NULL is allowed.</summary>
    public const uint Contiguous = 3;

    /// <summary><c>B_LOMEM</c>: the OS may refuse to lock, so NULL is allowed.</summary>
    public const uint LowMemory = 4;

    /// <summary><c>B_READ_AREA</c>.</summary>
    public const uint ReadArea = 1;

    /// <summary><c>B_WRITE_AREA</c>.</summary>
    public const uint WriteArea = 2;

    /// <summary><c>B_EXECUTE_AREA</c> (Haiku).</summary>
    public const uint ExecuteArea = 4;

    /// <summary><c>B_KERNEL_READ_AREA</c>.</summary>
    public const uint KernelReadArea = 16;

    /// <summary><c>B_KERNEL_WRITE_AREA</c>.</summary>
    public const uint KernelWriteArea = 32;

    /// <summary><c>B_CLONEABLE_AREA</c> / <c>B_USER_CLONEABLE_AREA</c>.</summary>
    public const uint CloneableArea = 256;

    /// <summary>The union of the known protection bits; any other bit makes <c>create_pool</c> fail.</summary>
    public const uint KnownProtectionBits =
        ReadArea | WriteArea | ExecuteArea | KernelReadArea | KernelWriteArea | CloneableArea;
}
