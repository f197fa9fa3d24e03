using System.Numerics;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Areas;

/// <summary>
/// Areas with create_area and clone_area semantics: ids, names, introspection, and the guarantee that every area is
/// unmapped exactly once. Thread-safe: every method takes the registry's lock (an <c>object</c> lock,
/// which Coyote controls). Invariants: an area is in <see cref="_areas"/> exactly while its pages are mapped; it is in
/// <see cref="_memories"/> exactly when it is shared (made with B_CLONEABLE_AREA, or a clone); a
/// <see cref="SharedMemory"/>'s handle is open exactly while its <see cref="SharedMemory.Users"/> is positive.
/// Cloning is in AreaRegistry.Clone.cs.
/// </summary>
public sealed partial class AreaRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<int, AreaInfo> _areas = new();
    private readonly Dictionary<int, SharedMemory> _memories = new();
    private int _nextId = 1;

    /// <summary>Creates a registry over <paramref name="backend"/>.</summary>
    public AreaRegistry(IAreaBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
    }

    /// <summary>The process-wide registry over the real Linux backend.</summary>
    public static AreaRegistry Shared { get; } = new(new LinuxAreaBackend());

    /// <summary>The backend every mapping goes through.</summary>
    public IAreaBackend Backend { get; }

    /// <summary>How many areas are mapped now.</summary>
    public int Count
    {
        get { lock (_gate) return _areas.Count; }
    }

    /// <summary>
    /// create_area: maps <paramref name="size"/> bytes as the specs say. Returns the new area's id (positive),
    /// or B_BAD_VALUE (bad size, spec, protection, or a misaligned address), or B_NO_MEMORY (no room, or the
    /// OS refused to lock). On failure nothing stays mapped or open. With B_CLONEABLE_AREA the area is shared memory
    /// (see <see cref="AreaSpecs.IsShared"/>), which <see cref="CloneArea(string, ref nint, uint, uint, int)"/> maps again;
    /// otherwise it is private anonymous memory.
    /// </summary>
    /// <param name="name">The area's name (truncated to <c>B_OS_NAME_LENGTH - 1</c> characters).</param>
    /// <param name="address">In: the address for B_EXACT_ADDRESS/B_BASE_ADDRESS. Out: where the area starts.</param>
    /// <param name="addressSpec">One of the B_*_ADDRESS specs.</param>
    /// <param name="size">A positive multiple of <c>B_PAGE_SIZE</c>.</param>
    /// <param name="lockSpec">One of the B_*_LOCK specs (or B_CONTIGUOUS, B_LOMEM).</param>
    /// <param name="protection">B_READ_AREA, B_WRITE_AREA and the other protection bits.</param>
    public int CreateArea(string name, ref nint address, uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        ArgumentNullException.ThrowIfNull(name);
        int status = Validate(address, addressSpec, size, lockSpec, protection);
        if (status != B_OK)
            return status;
        SharedMemory? memory = null;
        if (AreaSpecs.IsShared(protection) && (status = CreateMemory(size, out memory)) != B_OK)
            return status;
        status = MapArea(address, addressSpec, size, lockSpec, protection, memory?.Handle, out nint mapped);
        if (status != B_OK)
        {
            Release(memory);
            return status;
        }
        address = mapped;
        return Register(new AreaInfo(0, name, mapped, size, addressSpec, lockSpec, protection), memory);
    }

    /// <summary>delete_area: unmaps the area. B_OK, or B_BAD_VALUE when <paramref name="id"/> is not a live area,
    /// or B_ERROR when the OS refused to unmap (the area then stays registered and can be deleted again).</summary>
    public int DeleteArea(int id)
    {
        lock (_gate)
        {
            if (!_areas.TryGetValue(id, out AreaInfo info))
                return B_BAD_VALUE;
            if (Backend.Unmap(info.Address, info.Size) != 0)
                return B_ERROR;
            _areas.Remove(id);
            if (_memories.Remove(id, out SharedMemory? memory))
                ReleaseLocked(memory);
            return B_OK;
        }
    }

    /// <summary>get_area_info: B_OK and the area's info, or B_BAD_VALUE when <paramref name="id"/> is not a live area.</summary>
    public int GetAreaInfo(int id, out AreaInfo info)
    {
        lock (_gate)
            return _areas.TryGetValue(id, out info) ? B_OK : B_BAD_VALUE;
    }

    /// <summary>A snapshot of every live area, ordered by id.</summary>
    public IReadOnlyList<AreaInfo> Snapshot()
    {
        lock (_gate)
            return _areas.Values.OrderBy(a => a.Id).ToArray();
    }

    /// <summary>Adds a mapped area under a new id (the name truncated); it takes over the caller's use of <paramref name="memory"/>.</summary>
    private int Register(AreaInfo info, SharedMemory? memory)
    {
        lock (_gate)
        {
            int id = _nextId++;
            string kept = info.Name.Length < B_OS_NAME_LENGTH ? info.Name : info.Name[..(B_OS_NAME_LENGTH - 1)];
            _areas.Add(id, info with { Id = id, Name = kept });
            if (memory is not null)
                _memories.Add(id, memory);
            return id;
        }
    }

    /// <summary>Makes the shared memory of a new shared area; its one user is the area about to be mapped.</summary>
    private int CreateMemory(nuint size, out SharedMemory? memory)
    {
        ulong tag = SharedMemory.NewTag();
        int errno = Backend.CreateMemory(SharedMemory.NameOf(tag, size), size, out int handle);
        if (errno != 0)
        {
            memory = null;
            return AreaSpecs.StatusFromErrno(errno);
        }
        memory = new SharedMemory(handle, tag, size, writable: true);
        return B_OK;
    }

    /// <summary>Gives up one use of <paramref name="memory"/> (an area that failed to map, or was deleted).</summary>
    private void Release(SharedMemory? memory)
    {
        if (memory is null)
            return;
        lock (_gate)
            ReleaseLocked(memory);
    }

    /// <summary>
    /// <see cref="Release"/> under the lock: the last user closes the handle. A close the OS reports as failed has
    /// released the handle all the same (Linux close(2)), so there is nothing to retry and nothing to report.
    /// </summary>
    private void ReleaseLocked(SharedMemory memory)
    {
        if (--memory.Users == 0)
            Backend.CloseMemory(memory.Handle);
    }

    private static int Validate(nint address, uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        if (size == 0 || size % B_PAGE_SIZE != 0)
            return B_BAD_VALUE;
        if (!AreaSpecs.IsValidLock(lockSpec) || !AreaSpecs.IsValidProtection(protection))
            return B_BAD_VALUE;
        // Otherwise: exact at NULL; misaligned addresses; B_CLONE_ADDRESS (clone_area only); unknown specs.
        return AreaSpecs.IsAnyAddress(addressSpec) || IsValidPlacement(address, addressSpec) ? B_OK : B_BAD_VALUE;
    }

    /// <summary>True for B_EXACT_ADDRESS at a page-aligned address other than NULL, and B_BASE_ADDRESS at a page-aligned one.</summary>
    private static bool IsValidPlacement(nint address, uint addressSpec) => addressSpec switch
    {
        B_EXACT_ADDRESS => address != 0 && (nuint)address % B_PAGE_SIZE == 0,
        B_BASE_ADDRESS => (nuint)address % B_PAGE_SIZE == 0,
        _ => false,
    };

    private int MapArea(nint address, uint addressSpec, nuint size, uint lockSpec, uint protection, int? memory, out nint mapped)
    {
        mapped = 0;
        PageAccess access = AreaSpecs.ToAccess(protection);
        bool populate = AreaSpecs.LocksUpFront(lockSpec);
        int errno;
        if (addressSpec == B_ANY_KERNEL_BLOCK_ADDRESS)
            errno = MapAligned(size, access, memory, out mapped);
        else
        {
            Placement placement = addressSpec switch
            {
                B_EXACT_ADDRESS => Placement.Exact,
                B_BASE_ADDRESS => Placement.AtOrAbove,
                _ => lockSpec == B_LOMEM ? Placement.Low : Placement.Anywhere,
            };
            errno = Backend.Map(new MapRequest(size, placement, address, access, populate, memory), out mapped);
        }
        if (errno != 0)
            return AreaSpecs.StatusFromErrno(errno);
        if (lockSpec != B_NO_LOCK)
        {
            errno = Backend.Lock(mapped, size, onFault: lockSpec == B_LAZY_LOCK);
            if (errno != 0)
            {
                Backend.Unmap(mapped, size);
                mapped = 0;
                return B_NO_MEMORY;
            }
        }
        return B_OK;
    }

    /// <summary>
    /// Maps <paramref name="size"/> bytes aligned to the size rounded up to a power of two: over-map, then trim both ends.
    /// Shared memory cannot be over-mapped (its first byte would land at the start of the over-mapping), so for it the
    /// over-mapping is an inaccessible reservation whose aligned middle the memory then replaces.
    /// </summary>
    private int MapAligned(nuint size, PageAccess access, int? memory, out nint mapped)
    {
        // Stryker disable once Equality : a power of two never equals 2^63 - 1 (docs/MUTATION.md#equivalent-bound)
        nuint alignment = BitOperations.RoundUpToPowerOf2((ulong)size) is var a && a <= (ulong)nuint.MaxValue / 2 ? (nuint)a : 0;
        // Stryker disable once Equality : alignment == 0 is refused by the first test (docs/MUTATION.md#equivalent-bound)
        if (alignment == 0 || size + alignment < size)
        {
            mapped = 0;
            return LinuxErrno.ENOMEM;
        }
        int errno = Backend.Map(new MapRequest(size + alignment, Placement.Anywhere, 0, memory is null ? access : PageAccess.None, Populate: false), out nint raw);
        if (errno != 0)
        {
            mapped = 0;
            return errno;
        }
        nuint start = ((nuint)raw + alignment - 1) & ~(alignment - 1);
        nuint head = start - (nuint)raw, tail = alignment - head;
        mapped = 0;
        // MAP_FIXED over pages of the reservation this call just made, which nothing else can have mapped into.
        if (memory is not null && (errno = Backend.Map(new MapRequest(size, Placement.Replace, (nint)start, access, false, memory), out _)) != 0)
        {
            Backend.Unmap(raw, size + alignment);
            return errno;
        }
        // A trim the OS refuses (e.g. ENOMEM at vm.max_map_count) would strand the over-mapped pages: give back what is left.
        if (head != 0 && (errno = Backend.Unmap(raw, head)) != 0)
        {
            Backend.Unmap(raw, size + alignment);
            return errno;
        }
        if (tail != 0 && (errno = Backend.Unmap((nint)(start + size), tail)) != 0)
        {
            Backend.Unmap((nint)start, size + tail);
            return errno;
        }
        mapped = (nint)start;
        return 0; // a locked area's pages are made resident by the mlock that follows
    }
}
