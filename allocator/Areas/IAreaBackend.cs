namespace AreaMalloc.Areas;

/// <summary>Page access rights of a mapping, as the OS sees them.</summary>
[Flags]
public enum PageAccess
{
    /// <summary>No access (the range is reserved only).</summary>
    None = 0,
    /// <summary>The pages may be read.</summary>
    Read = 1,
    /// <summary>The pages may be written.</summary>
    Write = 2,
    /// <summary>Code in the pages may be executed.</summary>
    Execute = 4,
}

/// <summary>Where the OS is asked to place a new mapping.</summary>
public enum Placement
{
    /// <summary>Anywhere the OS likes.</summary>
    Anywhere,
    /// <summary>Exactly at <see cref="MapRequest.Address"/>, never replacing an existing mapping.</summary>
    Exact,
    /// <summary>At or above <see cref="MapRequest.Address"/>.</summary>
    AtOrAbove,
    /// <summary>Anywhere below 2 GiB of address space (Linux <c>MAP_32BIT</c>).</summary>
    Low,
}

/// <summary>One request for fresh, zero-filled, private anonymous pages.</summary>
/// <param name="Size">Bytes to map: a positive multiple of the page size.</param>
/// <param name="Placement">Where the mapping must go.</param>
/// <param name="Address">The address for <see cref="Placement.Exact"/> and <see cref="Placement.AtOrAbove"/>; ignored otherwise.</param>
/// <param name="Access">The access rights of the new pages.</param>
/// <param name="Populate">Fault every page in at once (Linux <c>MAP_POPULATE</c>).</param>
public readonly record struct MapRequest(nuint Size, Placement Placement, nint Address, PageAccess Access, bool Populate);

/// <summary>
/// The one narrow door between areas and the operating system. Every call returns 0 on success or a
/// positive Linux <c>errno</c> value. The area layer is the only caller; tests put a deterministic,
/// fault-injecting or quarantining backend in its place.
/// </summary>
public interface IAreaBackend
{
    /// <summary>Maps fresh zero-filled pages as <paramref name="request"/> says.</summary>
    /// <param name="request">Size, placement, access and population of the mapping.</param>
    /// <param name="address">The start of the new mapping, or 0 on failure.</param>
    /// <returns>0, or the errno of the failure (nothing stays mapped on failure).</returns>
    int Map(in MapRequest request, out nint address);

    /// <summary>Unmaps <paramref name="size"/> bytes at <paramref name="address"/> (page aligned).</summary>
    /// <returns>0, or the errno of the failure.</returns>
    int Unmap(nint address, nuint size);

    /// <summary>Changes the access rights of a page-aligned range.</summary>
    /// <returns>0, or the errno of the failure.</returns>
    int Protect(nint address, nuint size, PageAccess access);

    /// <summary>Locks a page-aligned range in memory, now or (with <paramref name="onFault"/>) as pages are first touched.</summary>
    /// <returns>0, or the errno of the failure (for example EPERM or ENOMEM under RLIMIT_MEMLOCK).</returns>
    int Lock(nint address, nuint size, bool onFault);
}
