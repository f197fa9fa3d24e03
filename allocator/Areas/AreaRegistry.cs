using System.Numerics;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Areas;

/// <summary>
/// Areas with create_area semantics: ids, names, introspection, and the guarantee that every area is
/// unmapped exactly once. Thread-safe: every method takes the registry's lock (an <c>object</c> lock,
/// which Coyote controls). Invariant: an area is in <see cref="_areas"/> exactly while its pages are mapped.
/// </summary>
public sealed class AreaRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<int, AreaInfo> _areas = new();
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
    /// OS refused to lock). On failure nothing stays mapped.
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
        status = MapArea(address, addressSpec, size, lockSpec, protection, out nint mapped);
        if (status != B_OK)
            return status;
        lock (_gate)
        {
            int id = _nextId++;
            string kept = name.Length < B_OS_NAME_LENGTH ? name : name[..(B_OS_NAME_LENGTH - 1)];
            _areas.Add(id, new AreaInfo(id, kept, mapped, size, addressSpec, lockSpec, protection));
            address = mapped;
            return id;
        }
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

    private static int Validate(nint address, uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        if (size == 0 || size % B_PAGE_SIZE != 0)
            return B_BAD_VALUE;
        if (!AreaSpecs.IsValidLock(lockSpec) || !AreaSpecs.IsValidProtection(protection))
            return B_BAD_VALUE;
        if (AreaSpecs.IsAnyAddress(addressSpec))
            return B_OK;
        return addressSpec switch
        {
            B_EXACT_ADDRESS when address != 0 && (nuint)address % B_PAGE_SIZE == 0 => B_OK,
            B_BASE_ADDRESS when (nuint)address % B_PAGE_SIZE == 0 => B_OK,
            _ => B_BAD_VALUE, // exact at NULL; misaligned addresses; B_CLONE_ADDRESS (clone_area only); unknown specs
        };
    }

    private int MapArea(nint address, uint addressSpec, nuint size, uint lockSpec, uint protection, out nint mapped)
    {
        mapped = 0;
        PageAccess access = AreaSpecs.ToAccess(protection);
        bool populate = AreaSpecs.LocksUpFront(lockSpec);
        int errno;
        if (addressSpec == B_ANY_KERNEL_BLOCK_ADDRESS)
            errno = MapAligned(size, access, out mapped);
        else
        {
            Placement placement = addressSpec switch
            {
                B_EXACT_ADDRESS => Placement.Exact,
                B_BASE_ADDRESS => Placement.AtOrAbove,
                _ => lockSpec == B_LOMEM ? Placement.Low : Placement.Anywhere,
            };
            errno = Backend.Map(new MapRequest(size, placement, address, access, populate), out mapped);
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

    /// <summary>Maps <paramref name="size"/> bytes aligned to the size rounded up to a power of two: over-map, then trim both ends.</summary>
    private int MapAligned(nuint size, PageAccess access, out nint mapped)
    {
        // Stryker disable once Equality : a is a power of two (or 0) and nuint.MaxValue / 2 = 2^63 - 1 is not, so a never equals it: < and <= decide the same
        nuint alignment = BitOperations.RoundUpToPowerOf2((ulong)size) is var a && a <= (ulong)nuint.MaxValue / 2 ? (nuint)a : 0;
        // Stryker disable once Equality : size + alignment == size only when alignment == 0, which the first test already refuses: < and <= decide the same
        if (alignment == 0 || size + alignment < size)
        {
            mapped = 0;
            return LinuxErrno.ENOMEM;
        }
        int errno = Backend.Map(new MapRequest(size + alignment, Placement.Anywhere, 0, access, Populate: false), out nint raw);
        if (errno != 0)
        {
            mapped = 0;
            return errno;
        }
        nuint start = ((nuint)raw + alignment - 1) & ~(alignment - 1);
        nuint head = start - (nuint)raw, tail = alignment - head;
        mapped = 0;
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
