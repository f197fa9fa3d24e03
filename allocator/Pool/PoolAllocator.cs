using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AreaMalloc.Areas;
using AreaMalloc.Hardening;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Pool;

/// <summary>
/// One pool: one area, its header at offset 0, a slab heap for small requests and a large-block heap for the
/// rest, one blocking lock (a <see cref="PoolLock"/>, built from primitives Coyote controls), statistics and an integrity walker.
/// Every public operation takes the lock; the pool's memory is only touched under it.
/// Invariant: the live map has a bit set exactly at the first byte of every block handed out and not freed,
/// so free and realloc can tell a live block from anything else in O(1) without trusting the pointer.
/// Hardening (always on): block headers carry keyed check words, free-list links are stored encoded, slab headers carry
/// a keyed magic, and each is verified before the pool follows it (see <see cref="HeapGuard"/>). Damage rule: an
/// operation that meets damage fails cleanly and changes nothing (free and realloc of the block: refused with
/// <see cref="BlockCheck.Corrupt"/> and counted in RefusedFrees; malloc, calloc, realloc: NULL, counted in
/// FailedAllocations); the pool records the first damage (<see cref="Damage"/>) and from then on refuses every
/// allocation, so it never hands out memory from a damaged structure. free of blocks that check out keeps working.
/// </summary>
public sealed unsafe partial class PoolAllocator
{
    private readonly PoolLock _lock = new();
    private readonly AreaRegistry _areas;
    private readonly byte* _base;
    private readonly PoolLayout _layout;
    private readonly PoolBehavior _behavior;
    private readonly ulong* _liveMap;
    private readonly uint* _pageMap;
    private readonly ulong _heapStart, _heapEnd;
    private readonly HeapGuard _guard;
    private bool _deleted;

    /// <summary>
    /// True once a pool with <see cref="PoolBehavior.SafeDeletion"/> was deleted: every call, under the lock,
    /// tests it and fails cleanly. Never set under <see cref="PoolBehavior.BeBook"/>, where a call that runs after
    /// delete_pool works on memory that is no longer the pool's, as the Be Book allows.
    /// </summary>
    private bool _closed;

    private PoolAllocator(AreaRegistry areas, int areaId, byte* areaBase, PoolLayout layout, PoolBehavior behavior, PoolHardening hardening, PoolCaching caching, HeapKeys keys)
    {
        Hardening = hardening;
        // Poisoned frees fill and poisoned reuse checks under the lock: such a pool never caches.
        if ((caching & PoolCaching.ThreadMagazines) != 0 && (hardening & PoolHardening.PoisonFreedMemory) == 0)
        {
            _rack = new MagazineRack();
            _windows = new StackWindows();
            _cacheMark = keys.CacheMark;
        }
        _guard = new HeapGuard(keys, (hardening & PoolHardening.PoisonFreedMemory) != 0, layout.HeapStart, layout.HeapEnd);
        _areas = areas;
        AreaId = areaId;
        _base = areaBase;
        _layout = layout;
        _behavior = behavior;
        _liveMap = (ulong*)(areaBase + layout.LiveMapOffset);
        _pageMap = (uint*)(areaBase + layout.PageMapOffset);
        _heapStart = layout.HeapStart;
        _heapEnd = layout.HeapEnd;
    }

    /// <summary>The id of the pool's area in its registry.</summary>
    public int AreaId { get; }

    /// <summary>The first byte of the pool's area.</summary>
    public nint Base => (nint)_base;

    /// <summary>Where the pool's metadata and heap sit in its area.</summary>
    public PoolLayout Layout => _layout;

    /// <summary>The largest request this pool satisfies when it holds no live block.</summary>
    public ulong MaxSingleRequest => _layout.MaxSingleRequest;

    /// <summary>What the pool does when delete_pool races other calls on it.</summary>
    public PoolBehavior Behavior => _behavior;

    /// <summary>The optional hardening chosen at creation (check words and encoded links are always on).</summary>
    public PoolHardening Hardening { get; }

    /// <summary>
    /// The first damage the pool met (a header failing its check word, a free-list link that does not decode to a free
    /// block, a slab header failing its magic, a use-after-free write), or null. Once set, every allocation returns NULL.
    /// </summary>
    public PoolDamage? Damage
    {
        get { using (_lock.Hold()) return _guard.FirstDamage; }
    }

    /// <summary>The pool's keys and damage record (internal: the tests forge and decode metadata with it).</summary>
    internal HeapGuard Guard => _guard;

    /// <summary>True once <see cref="Delete"/> succeeded.</summary>
    public bool IsDeleted => Volatile.Read(ref _deleted);

    private PoolHeader* H => (PoolHeader*)_base;
    private ulong* LiveMap => _liveMap;

    /// <summary>
    /// create_pool: makes an area with the given specs and lays a pool out in it. create_pool has no address
    /// argument, so B_EXACT_ADDRESS (which needs one) is refused, and B_BASE_ADDRESS means at or above 0: anywhere.
    /// The pool writes its own metadata, so the protection must include B_WRITE_AREA or B_KERNEL_WRITE_AREA.
    /// </summary>
    /// <param name="areas">The registry that makes the pool's area.</param>
    /// <param name="addressSpec">create_area's address spec.</param>
    /// <param name="size">The area's size: a multiple of B_PAGE_SIZE from <see cref="PoolLayout.MinAreaSize"/> to <see cref="PoolLayout.MaxAreaSize"/>.</param>
    /// <param name="lockSpec">create_area's lock spec.</param>
    /// <param name="protection">create_area's protection; it must allow writing.</param>
    /// <param name="status">B_OK, or why the pool was not made.</param>
    /// <param name="behavior">Beyond the Be Book: what delete_pool does to calls racing it (default <see cref="PoolBehavior.BeBook"/>).</param>
    /// <param name="hardening">Beyond the Be Book: optional hardening, e.g. <see cref="PoolHardening.PoisonFreedMemory"/> (default none).</param>
    /// <param name="caching">Beyond the Be Book: <see cref="PoolCaching.ThreadMagazines"/> for lock-free small malloc/free (default none; ignored with poison).</param>
    /// <returns>The pool, or null with <paramref name="status"/> saying why (B_BAD_VALUE, B_NO_MEMORY).</returns>
    public static PoolAllocator? Create(AreaRegistry areas, uint addressSpec, nuint size, uint lockSpec, uint protection, out int status,
        PoolBehavior behavior = PoolBehavior.BeBook, PoolHardening hardening = PoolHardening.None, PoolCaching caching = PoolCaching.None) =>
        CreateWithKeys(areas, addressSpec, size, lockSpec, protection, out status, behavior, hardening, caching, keys: null);

    /// <summary>
    /// As <see cref="Create"/>, with the pool's hardening keys from <paramref name="keys"/> when it is not null (internal:
    /// the model-based property derives them from its generated seed, so that a replayed sequence writes the same encoded
    /// words), else <see cref="HeapKeys.ForNewPool()"/>'s.
    /// </summary>
    internal static PoolAllocator? CreateWithKeys(AreaRegistry areas, uint addressSpec, nuint size, uint lockSpec, uint protection, out int status,
        PoolBehavior behavior, PoolHardening hardening, PoolCaching caching, Func<HeapKeys>? keys)
    {
        ArgumentNullException.ThrowIfNull(areas);
        PoolLayout? layout = PoolLayout.For(size);
        if (layout is null || behavior is not (PoolBehavior.BeBook or PoolBehavior.SafeDeletion)
            || (hardening & ~PoolHardening.PoisonFreedMemory) != 0
            || (caching & ~PoolCaching.ThreadMagazines) != 0
            || addressSpec is B_EXACT_ADDRESS or B_CLONE_ADDRESS
            || !AreaSpecs.IsValidProtection(protection) || !AreaSpecs.IsWritable(protection))
        {
            status = B_BAD_VALUE;
            return null;
        }
        nint address = 0;
        int id = areas.CreateArea("area_malloc pool", ref address, addressSpec, size, lockSpec, protection);
        // Stryker disable once Equality : create_area returns an error code (< 0) or an area id, and ids start at 1, so <= 0 decides the same
        if (id < 0)
        {
            status = id;
            return null;
        }
        // The keys are drawn only for an area that was made, so a refused create_pool takes none from the source.
        var pool = new PoolAllocator(areas, id, (byte*)address, layout.Value, behavior, hardening, caching, keys?.Invoke() ?? HeapKeys.ForNewPool());
        pool.Initialize();
        status = B_OK;
        return pool;
    }

    private void Initialize()
    {
        PoolHeader* h = H;
        h->Magic = PoolLayout.Magic;
        h->AreaSize = _layout.AreaSize;
        h->PageMapOffset = _layout.PageMapOffset;
        h->LiveMapOffset = _layout.LiveMapOffset;
        h->HeapStart = _layout.HeapStart;
        h->HeapEnd = _layout.HeapEnd;
        new LargeBlockHeap(_base, _guard).Initialize(_layout.HeapStart, _layout.HeapEnd);
    }

    /// <summary>
    /// delete_pool: unmaps the area. B_OK, or B_ERROR when already deleted or the OS refused (the pool then stays usable).
    /// It takes the pool's lock, so it waits for the call in flight; under <see cref="PoolBehavior.SafeDeletion"/>
    /// every later call fails cleanly, under <see cref="PoolBehavior.BeBook"/> later calls are the caller's bug.
    /// </summary>
    public int Delete()
    {
        using (_lock.Hold())
            return DeleteLocked();
    }

    /// <summary>The body of <see cref="Delete"/>: call holding <see cref="Lock"/> (internal: a test deletes while a racing call waits for the lock).</summary>
    internal int DeleteLocked()
    {
        if (_deleted)
            return B_ERROR;
        using QuiescedScope quiet = Quiesce();
        if (_areas.DeleteArea(AreaId) != B_OK)
            return B_ERROR;
        // No fast path runs (all stopped), and the magazines are never resumed.
        _rack?.AbandonAll();
        _closed = _behavior == PoolBehavior.SafeDeletion;
        Volatile.Write(ref _deleted, true);
        return B_OK;
    }

    /// <summary>malloc: a block of at least max(size, 1) bytes, 16-byte aligned, or 0 when there is no room or the pool met damage.</summary>
    public nint Malloc(nuint size) => _rack is not null ? MallocCaching(size) : MallocUncached(size);

    /// <summary><see cref="Malloc"/> in a pool without magazines (out of line, so that each kind of pool's path is compiled from its own profile).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint MallocUncached(nuint size)
    {
        using (_lock.Hold())
            return MallocUnderLock(size);
    }

    /// <summary>The locked part of <see cref="Malloc"/> (quiesced in a caching pool).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint MallocUnderLock(nuint size)
    {
        if (_closed)
            return 0;
        if (!_guard.Damaged)
        {
            ulong offset = _rack is null ? AllocateLocked(size, out _) : MallocCachingLocked(size);
            if (offset != 0)
                return (nint)(_base + offset);
        }
        H->FailedAllocations++;
        return 0;
    }

    /// <summary>calloc: like <see cref="Malloc"/> for count*size bytes, zeroed; 0 when count*size overflows, there is no room or the pool met damage.</summary>
    public nint Calloc(nuint count, nuint size)
    {
        using (_lock.Hold())
        {
            if (_closed)
                return 0;
            using QuiescedScope quiet = Quiesce();
            if (_guard.Damaged || (size != 0 && count > nuint.MaxValue / size))
            {
                H->FailedAllocations++;
                return 0;
            }
            ulong cleanFrom = H->DirtyHighWater;
            ulong offset = AllocateOrDrainLocked(count * size, out ulong usable);
            if (offset == 0)
            {
                H->FailedAllocations++;
                return 0;
            }
            // Bytes at or above the old dirty mark were never written since the area was mapped: already zero
            // (poisoned bytes are always below it: the poison is never written above the mark).
            ulong end = Math.Min(offset + usable, cleanFrom);
            // Stryker disable once Equality : at end == offset the mutant clears 0 bytes: the same outcome
            if (end > offset)
                NativeMemory.Clear(_base + offset, (nuint)(end - offset));
            return (nint)(_base + offset);
        }
    }

    /// <summary>
    /// realloc: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns 0; a pointer that is not a live
    /// block of this pool, or whose metadata is damaged, is refused (0, counted in RefusedFrees, nothing changes).
    /// Otherwise the block is resized in place when it can be, else moved (the first min(old usable, size) bytes are
    /// copied); when no room can be found, or damage is met around the block or in the heap, or the pool met damage
    /// before, the result is 0 (counted in FailedAllocations) and the old block is intact. In a caching pool a slab
    /// object resized to a small size takes no lock when the calling thread's magazine can serve it (the old block
    /// is then cached, as a free would cache it).
    /// </summary>
    public nint Realloc(nint block, nuint size)
    {
        if (block == 0)
            return Malloc(size);
        // 1 to MaxSmallSize in one unsigned compare: 0 wraps to a huge value (realloc(p, 0) frees, under the lock).
        if (_rack is not null && size - 1 < SizeClasses.MaxSmallSize)
        {
            nint resized = ReallocCached(block, size);
            if (resized != 0)
                return resized;
        }
        using (_lock.Hold())
        {
            if (_closed)
                return 0;
            using QuiescedScope quiet = Quiesce();
            BlockCheck check = CheckLocked(block, out ulong offset);
            if (check != BlockCheck.Live)
            {
                H->RefusedFrees++;
                return 0;
            }
            if (size == 0)
            {
                if (!FreeLocked(offset))
                    H->RefusedFrees++;
                return 0;
            }
            if (_guard.Damaged)
            {
                H->FailedAllocations++;
                return 0;
            }
            return ReallocLocked(offset, size);
        }
    }

    /// <summary>
    /// free: releases a live block. NULL is ignored; anything else that is not a live block of this pool is refused and
    /// counted, and so is a live block whose metadata or neighbours are damaged (<see cref="BlockCheck.Corrupt"/>: the
    /// pool refuses to follow the damage, records it in <see cref="Damage"/>, and the block stays live).
    /// </summary>
    /// <returns>What the pool found: <see cref="BlockCheck.Live"/> when the block was freed.</returns>
    public BlockCheck Free(nint block)
    {
        if (block == 0)
            return BlockCheck.Null;
        return _rack is not null ? FreeCaching(block) : FreeUncached(block);
    }

    /// <summary><see cref="Free"/> of a non-NULL block in a pool without magazines (out of line, as <see cref="MallocUncached"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private BlockCheck FreeUncached(nint block)
    {
        using (_lock.Hold())
            return FreeUnderLock(block);
    }

    /// <summary>The locked part of <see cref="Free"/> for a non-NULL block (quiesced in a caching pool).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BlockCheck FreeUnderLock(nint block)
    {
        if (_closed)
            return BlockCheck.PoolDeleted;
        // The checks of CheckLocked, with the page-map lookup done once for the check and the free.
        ulong offset = (ulong)((nuint)block - (nuint)_base);
        BlockCheck check;
        if (offset < _heapStart || offset >= _heapEnd)
            check = BlockCheck.OutsidePool;
        else if ((offset & (TlsfMapping.Granule - 1)) != 0)
            check = BlockCheck.Misaligned;
        else if (!IsHandedOutLocked(offset))
            check = BlockCheck.NotLive;
        else
        {
            uint slab = _pageMap[offset / B_PAGE_SIZE];
            if (slab == 0 ? FreeLargeLocked(offset) : _rack is null ? FreeSmallLocked(offset, slab) : FreeIntoMagazineLocked(offset, slab))
                return BlockCheck.Live;
            check = BlockCheck.Corrupt;
        }
        H->RefusedFrees++;
        return check;
    }

    /// <summary>
    /// What <paramref name="block"/> is to this pool, and the usable size when it is a live block. A live block whose
    /// header (or slab header) is damaged is <see cref="BlockCheck.Corrupt"/>, and the damage is recorded.
    /// </summary>
    public BlockCheck Check(nint block, out ulong usableSize)
    {
        using (_lock.Hold())
        {
            if (_closed)
            {
                usableSize = 0;
                return BlockCheck.PoolDeleted;
            }
            using QuiescedScope quiet = Quiesce();
            BlockCheck check = CheckLocked(block, out ulong offset);
            usableSize = check == BlockCheck.Live ? UsableSizeLocked(offset) : 0;
            return check;
        }
    }

    /// <summary>
    /// Gives every spare slab back to the large-block allocator; after every block is freed this restores the pristine
    /// state. A spare whose metadata or neighbourhood is damaged stays (the damage is recorded).
    /// </summary>
    public void Trim()
    {
        using (_lock.Hold())
        {
            if (_closed)
                return;
            using QuiescedScope quiet = Quiesce();
            DrainMagazinesLocked();
            new SlabHeap(_base, _guard).ReleaseSpares();
        }
    }

    private BlockCheck CheckLocked(nint block, out ulong offset)
    {
        offset = (ulong)((nuint)block - (nuint)_base);
        if (block == 0)
            return BlockCheck.Null;
        if (offset < _heapStart || offset >= _heapEnd)
            return BlockCheck.OutsidePool;
        if ((offset & (TlsfMapping.Granule - 1)) != 0)
            return BlockCheck.Misaligned;
        if (!IsHandedOutLocked(offset))
            return BlockCheck.NotLive;
        uint slab = _pageMap[offset / B_PAGE_SIZE];
        bool intact = slab != 0 ? new SlabHeap(_base, _guard).IsIntact(slab) : new LargeBlockHeap(_base, _guard).IsLiveBlock(offset - 16, slab: false);
        return intact ? BlockCheck.Live : BlockCheck.Corrupt;
    }

    /// <summary>Whether the block at <paramref name="offset"/> is in the program's hands: live, and in a caching pool held by no magazine (a cached block is live too). Call quiesced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsHandedOutLocked(ulong offset) => IsLive(offset) && (_rack is null || !IsCachedLocked(offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsLive(ulong offset)
    {
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        ulong bit = offset >> TlsfMapping.GranuleLog2;
        return (LiveMap[bit / 64] & (1UL << (int)(bit & 63))) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetLive(ulong offset, bool live)
    {
        // Stryker disable once Bitwise : the operand is unsigned, so >>> (the mutant) is the same shift as >>; the sibling << mutant goes with it
        ulong bit = offset >> TlsfMapping.GranuleLog2;
        if (live)
            // Stryker disable once Assignment : a block is marked live only when it is handed out, so its bit is clear and ^= sets it just as |= does
            LiveMap[bit / 64] |= 1UL << (int)(bit & 63);
        else
            LiveMap[bit / 64] &= ~(1UL << (int)(bit & 63));
    }
}
