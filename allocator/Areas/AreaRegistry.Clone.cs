using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Areas;

/// <summary>
/// clone_area, as Haiku's user-level clone_area does it (vm_clone_area): a clone is a new area over the same memory as
/// its source, with its own id, name, address and protection, and the source's size and lock spec. Deleting either
/// leaves the other intact (the memory lives while any area maps it). Only shared areas (made with B_CLONEABLE_AREA,
/// or clones) can be cloned: Linux cannot give private anonymous pages a second address.
/// <list type="table">
/// <item><term>address spec</term><description>B_ANY_ADDRESS anywhere; B_EXACT_ADDRESS and B_BASE_ADDRESS as for create_area;
/// B_CLONE_ADDRESS at the source's address (meaningful in another process: pointers then mean the same in both; in the
/// source's own process that range is taken, so B_NO_MEMORY); the kernel specs are B_BAD_VALUE (as Haiku's user clone_area).</description></item>
/// <item><term>source in this registry</term><description>missing: B_BAD_VALUE; private: B_NOT_ALLOWED; any protection, as
/// Haiku allows a team to clone its own areas with any protection, except writing memory this team holds only read-only
/// (it cloned it read-only from another team; Haiku's protection_max): B_NOT_ALLOWED.</description></item>
/// <item><term>source named by a handle</term><description>another team's area: without B_CLONEABLE_AREA, B_NOT_ALLOWED; a clone
/// that would write (B_WRITE_AREA or B_KERNEL_WRITE_AREA) a source that may not be written, B_NOT_ALLOWED; memory gone
/// (the area and every clone of it in the owner deleted, the owner ended): B_BAD_VALUE; the owner's process may not be
/// read: B_PERMISSION_DENIED. A read-only clone opens the memory read-only, so the OS refuses to make it writable.</description></item>
/// </list>
/// </summary>
public sealed partial class AreaRegistry
{
    /// <summary>
    /// clone_area of an area of this registry (the same team): maps the memory of <paramref name="source"/> again.
    /// Returns the clone's id (positive); B_BAD_VALUE for a bad spec, address or protection, or a source that is not a
    /// live area; B_NOT_ALLOWED when the source is private (made without B_CLONEABLE_AREA), or when the clone would write
    /// memory this team holds read-only; B_NO_MEMORY when the address range is taken or the OS has no room. On failure
    /// nothing is mapped and the source is untouched.
    /// </summary>
    /// <param name="name">The clone's name (truncated to <c>B_OS_NAME_LENGTH - 1</c> characters).</param>
    /// <param name="address">In: the address for B_EXACT_ADDRESS/B_BASE_ADDRESS. Out: where the clone starts.</param>
    /// <param name="addressSpec">B_ANY_ADDRESS, B_EXACT_ADDRESS, B_BASE_ADDRESS or B_CLONE_ADDRESS.</param>
    /// <param name="protection">The clone's protection bits (B_CLONEABLE_AREA lets other teams clone the clone).</param>
    /// <param name="source">The id of the area to clone.</param>
    public int CloneArea(string name, ref nint address, uint addressSpec, uint protection, int source)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidClone(address, addressSpec, protection))
            return B_BAD_VALUE;
        AreaInfo from;
        SharedMemory? memory;
        lock (_gate)
        {
            if (!_areas.TryGetValue(source, out from))
                return B_BAD_VALUE;
            if (!_memories.TryGetValue(source, out memory) || (AreaSpecs.IsWritable(protection) && !memory.Writable))
                return B_NOT_ALLOWED;
            memory.Users++; // the clone's use, taken before the lock is left, so a racing delete of the source keeps the memory open
        }
        return MapClone(name, ref address, addressSpec, protection, from.Address, from.Lock, memory);
    }

    /// <summary>
    /// clone_area of another team's area, named by the handle its owner exported (<see cref="ExportArea"/>), here or in
    /// another process. Returns the clone's id (positive); B_BAD_VALUE for a bad spec, address or protection, a malformed
    /// handle, or an area whose memory is gone; B_NOT_ALLOWED when the area is not cloneable or the clone would write
    /// memory the area may not write; B_PERMISSION_DENIED when the owner's process may not be read; B_NO_MEMORY when the
    /// address range is taken or the OS has no room. On failure nothing is mapped or open, and the owner's area is untouched.
    /// </summary>
    /// <param name="name">The clone's name (truncated to <c>B_OS_NAME_LENGTH - 1</c> characters).</param>
    /// <param name="address">In: the address for B_EXACT_ADDRESS/B_BASE_ADDRESS. Out: where the clone starts.</param>
    /// <param name="addressSpec">B_ANY_ADDRESS, B_EXACT_ADDRESS, B_BASE_ADDRESS or B_CLONE_ADDRESS (the owner's address).</param>
    /// <param name="protection">The clone's protection bits.</param>
    /// <param name="source">The exported handle.</param>
    public int CloneArea(string name, ref nint address, uint addressSpec, uint protection, AreaHandle source)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidClone(address, addressSpec, protection) || !IsWellFormed(source))
            return B_BAD_VALUE;
        if (!AreaSpecs.IsShared(source.Protection))
            return B_NOT_ALLOWED; // Haiku: another team's area without B_CLONEABLE_AREA
        bool writable = AreaSpecs.IsWritable(protection);
        if (writable && !AreaSpecs.IsWritable(source.Protection))
            return B_NOT_ALLOWED; // Haiku: more rights than the source gives another team
        // A handle without memory (-1) names no descriptor: ENOENT, B_BAD_VALUE (a cloneable area always has memory).
        int errno = Backend.OpenMemory(source.ProcessId, source.Memory, writable, out int handle);
        if (errno != 0)
            return AreaSpecs.StatusFromErrno(errno);
        var memory = new SharedMemory(handle, source.Tag, source.Size, writable);
        if (Backend.MemoryName(handle) != memory.Name)
        {
            Release(memory); // the descriptor's number now names something else: the area is gone
            return B_BAD_VALUE;
        }
        return MapClone(name, ref address, addressSpec, protection, source.Address, source.Lock, memory);
    }

    /// <summary>
    /// <see cref="CloneArea(string, ref nint, uint, uint, AreaHandle)"/> with the handle as text (<see cref="AreaHandle.ToString"/>),
    /// as another process receives it; text that is not a handle is B_BAD_VALUE.
    /// </summary>
    /// <param name="name">The clone's name.</param>
    /// <param name="address">In: the address for B_EXACT_ADDRESS/B_BASE_ADDRESS. Out: where the clone starts.</param>
    /// <param name="addressSpec">The address spec.</param>
    /// <param name="protection">The clone's protection bits.</param>
    /// <param name="source">The handle's text.</param>
    public int CloneArea(string name, ref nint address, uint addressSpec, uint protection, string source) =>
        AreaHandle.TryParse(source, out AreaHandle handle) ? CloneArea(name, ref address, addressSpec, protection, handle) : B_BAD_VALUE;

    /// <summary>
    /// The handle by which another process names area <paramref name="id"/> (B_OK), or B_BAD_VALUE when it is not a live
    /// area. Every live area has one; cloning from it checks what Haiku checks for another team (B_CLONEABLE_AREA, the
    /// protection). The handle stays usable while the area's memory is mapped here.
    /// </summary>
    /// <param name="id">The area.</param>
    /// <param name="handle">Its handle, or the default handle.</param>
    public int ExportArea(int id, out AreaHandle handle)
    {
        lock (_gate)
        {
            if (!_areas.TryGetValue(id, out AreaInfo info))
            {
                handle = default;
                return B_BAD_VALUE;
            }
            SharedMemory? memory = _memories.GetValueOrDefault(id);
            handle = new AreaHandle(Environment.ProcessId, id, memory?.Handle ?? -1, memory?.Tag ?? 0, info.Address, info.Size, info.Lock, info.Protection);
            return B_OK;
        }
    }

    /// <summary>True when <paramref name="area"/> and <paramref name="other"/> are live areas that map the same memory (a source and its clone, or two clones).</summary>
    /// <param name="area">An area id.</param>
    /// <param name="other">Another area id.</param>
    public bool SharesMemory(int area, int other)
    {
        lock (_gate)
            return _memories.TryGetValue(area, out SharedMemory? a) && _memories.TryGetValue(other, out SharedMemory? b) && a == b;
    }

    /// <summary>Maps <paramref name="memory"/> (one use of it already taken for the clone) and registers the clone; on failure gives the use back.</summary>
    private int MapClone(string name, ref nint address, uint addressSpec, uint protection, nint sourceAddress, uint lockSpec, SharedMemory memory)
    {
        (Placement placement, nint at) = addressSpec switch
        {
            B_EXACT_ADDRESS => (Placement.Exact, address),
            B_BASE_ADDRESS => (Placement.AtOrAbove, address),
            B_CLONE_ADDRESS => (Placement.Exact, sourceAddress),
            _ => (Placement.Anywhere, (nint)0),
        };
        // As in Haiku, a clone reports its source's lock spec and a B_FULL_LOCK clone has every page mapped in at once; the
        // clone is not locked again: its pages are the source's, which the source's own lock keeps resident.
        var request = new MapRequest(memory.Size, placement, at, AreaSpecs.ToAccess(protection), AreaSpecs.LocksUpFront(lockSpec), memory.Handle);
        int errno = Backend.Map(request, out nint mapped);
        if (errno != 0)
        {
            Release(memory);
            return AreaSpecs.StatusFromErrno(errno);
        }
        address = mapped;
        return Register(new AreaInfo(0, name, mapped, memory.Size, addressSpec, lockSpec, protection), memory);
    }

    /// <summary>The address specs of Haiku's user clone_area (B_EXACT_ADDRESS and B_BASE_ADDRESS as for create_area), and known protection bits.</summary>
    private static bool IsValidClone(nint address, uint addressSpec, uint protection) =>
        AreaSpecs.IsValidProtection(protection)
        && (addressSpec is B_ANY_ADDRESS or B_CLONE_ADDRESS || IsValidPlacement(address, addressSpec));

    /// <summary>What every handle <see cref="ExportArea"/> gives satisfies: a process, a size and an address of whole pages, known specs.</summary>
    private static bool IsWellFormed(AreaHandle h) =>
        h.ProcessId > 0 && h.Size != 0 && h.Size % B_PAGE_SIZE == 0 && (nuint)h.Address % B_PAGE_SIZE == 0
        && AreaSpecs.IsValidLock(h.Lock) && AreaSpecs.IsValidProtection(h.Protection);
}
