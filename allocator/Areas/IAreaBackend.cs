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
    /// <summary>
    /// Exactly at <see cref="MapRequest.Address"/>, replacing what is mapped there (Linux <c>MAP_FIXED</c>). Only over
    /// a reservation the caller made itself: the area layer uses it to put shared memory into an aligned reservation.
    /// </summary>
    Replace,
}

/// <summary>
/// One request for pages: fresh, zero-filled, private anonymous pages, or (with <paramref name="Memory"/>) the pages of
/// a shared memory object, mapped shared from its first byte, so that every mapping of the object sees the same bytes.
/// </summary>
/// <param name="Size">Bytes to map: a positive multiple of the page size.</param>
/// <param name="Placement">Where the mapping must go.</param>
/// <param name="Address">The address for <see cref="Placement.Exact"/>, <see cref="Placement.AtOrAbove"/> and <see cref="Placement.Replace"/>; ignored otherwise.</param>
/// <param name="Access">The access rights of the new pages.</param>
/// <param name="Populate">Fault every page in at once (Linux <c>MAP_POPULATE</c>).</param>
/// <param name="Memory">Null for private anonymous pages; else a handle from <see cref="IAreaBackend.CreateMemory"/> or <see cref="IAreaBackend.OpenMemory"/>.</param>
public readonly record struct MapRequest(nuint Size, Placement Placement, nint Address, PageAccess Access, bool Populate, int? Memory = null);

/// <summary>
/// The one narrow door between areas and the operating system. Every call returns 0 on success or a
/// positive Linux <c>errno</c> value. The area layer is the only caller; tests put a deterministic,
/// fault-injecting or quarantining backend in its place.
/// <para>
/// Shared memory (the pages of a cloneable area, which clone_area maps again, here or in another process) is a
/// memory object named by a handle (on Linux a memfd's file descriptor). A backend that offers no shared memory keeps
/// the default members: they fail with ENOSYS, and so does every cloneable area and clone made through it.
/// </para>
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

    /// <summary>
    /// Creates a zero-filled shared memory object of <paramref name="size"/> bytes whose size can never change, named
    /// <paramref name="name"/> where the OS shows it (<see cref="MemoryName"/>).
    /// </summary>
    /// <param name="name">The object's name (at most 200 ASCII characters).</param>
    /// <param name="size">Its size: a positive multiple of the page size.</param>
    /// <param name="memory">Its handle, or -1 on failure.</param>
    /// <returns>0, or the errno of the failure (nothing stays open on failure).</returns>
    int CreateMemory(string name, nuint size, out int memory)
    {
        memory = -1;
        return LinuxErrno.ENOSYS;
    }

    /// <summary>
    /// Opens the memory object that process <paramref name="processId"/> (this one or another of the same user) holds as
    /// <paramref name="memory"/>, for mappings that may be written only when <paramref name="writable"/> is true: a
    /// read-only handle cannot be mapped, nor its mappings made, writable.
    /// </summary>
    /// <param name="processId">The process that holds the object.</param>
    /// <param name="memory">Its handle there.</param>
    /// <param name="writable">Whether mappings of the new handle may be writable.</param>
    /// <param name="opened">The new handle in this process, or -1 on failure.</param>
    /// <returns>0, or the errno of the failure (ENOENT when there is no such handle, EACCES when the process may not be read).</returns>
    int OpenMemory(int processId, int memory, bool writable, out int opened)
    {
        opened = -1;
        return LinuxErrno.ENOSYS;
    }

    /// <summary>The name the OS shows for the memory object behind <paramref name="memory"/>, or null when it is not a memory object.</summary>
    /// <param name="memory">A handle of this process.</param>
    string? MemoryName(int memory) => null;

    /// <summary>Releases a handle; mappings of the object stay valid, and the object lives while any mapping or handle does.</summary>
    /// <param name="memory">A handle of this process.</param>
    /// <returns>0, or the errno the OS reported (the handle is released even then, as Linux close(2) does).</returns>
    int CloseMemory(int memory) => LinuxErrno.ENOSYS;
}
