using AreaMalloc.Areas;
using AreaMalloc.Caching;
using AreaMalloc.Format;
using AreaMalloc.Hardening;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Pool;

/// <summary>
/// One pool: one area, its header at offset 0, a slab heap for small requests and a large-block heap for the rest,
/// one blocking lock (a <see cref="PoolLock"/>, built from primitives Coyote controls), statistics and an integrity
/// walker. Made by <see cref="Create"/>; the operations are the Be Book's malloc, calloc, realloc and free with the
/// pool as their object, plus what the Be Book leaves out (check, trim, statistics, the walker).
/// <para>
/// Invariant: the live map has a bit set exactly at the first byte of every block handed out and not freed, so free
/// and realloc tell a live block from anything else in O(1) without trusting the pointer. Hardening (always on): block
/// headers carry keyed check words, free-list links are stored encoded, slab headers carry a keyed magic, and each is
/// verified before the pool follows it (<see cref="HeapGuard"/>). Damage rule: an operation that meets damage fails
/// cleanly and changes nothing (free and realloc of the block: refused with <see cref="BlockCheck.Corrupt"/> and
/// counted in RefusedFrees; malloc, calloc, realloc: NULL, counted in FailedAllocations); the pool records the first
/// damage (<see cref="Damage"/>) and from then on refuses every allocation. free of blocks that check out keeps working.
/// </para>
/// This class holds what every pool has; the operations are those of its one implementation, a core compiled once per
/// cache policy (<see cref="PoolCaching"/>), so that a pool without magazines runs no caching code at all.
/// </summary>
public abstract unsafe class PoolAllocator
{
    /// <summary>The pool's lock: every locked section, and delete_pool, hold it.</summary>
    private protected readonly PoolLock _lock = new();
    private protected readonly AreaRegistry _areas;
    private protected readonly byte* _base;
    private protected readonly PoolLayout _layout;
    private protected readonly PoolSettings _settings;
    private protected readonly HeapGuard _guard;
    private protected readonly LiveMap _liveMap;
    private protected readonly PageMap _pageMap;
    private protected readonly LargeBlockHeap _large;
    private protected readonly SlabHeap _slabs;
    private protected readonly ulong _heapStart, _heapEnd;

    /// <summary>True once <see cref="Delete"/> succeeded (read without the lock by the surfaces).</summary>
    private protected bool _deleted;

    /// <summary>
    /// True once a pool with <see cref="PoolBehavior.SafeDeletion"/> was deleted: every call, under the lock, tests it
    /// and fails cleanly. Never set under <see cref="PoolBehavior.BeBook"/>, where a call that runs after delete_pool
    /// works on memory that is no longer the pool's, as the Be Book allows.
    /// </summary>
    private protected bool _closed;

    private protected PoolAllocator(AreaRegistry areas, int areaId, byte* areaBase, PoolLayout layout, PoolSettings settings, HeapKeys keys)
    {
        _areas = areas;
        AreaId = areaId;
        _base = areaBase;
        _layout = layout;
        _settings = settings;
        _heapStart = layout.HeapStart;
        _heapEnd = layout.HeapEnd;
        _guard = new HeapGuard(keys, (settings.Hardening & PoolHardening.PoisonFreedMemory) != 0, layout.HeapStart, layout.HeapEnd);
        _liveMap = new LiveMap((ulong*)(areaBase + layout.LiveMapOffset));
        _pageMap = new PageMap((uint*)(areaBase + layout.PageMapOffset));
        _large = new LargeBlockHeap(areaBase, &Header->Large, _guard);
        _slabs = new SlabHeap(areaBase, &Header->Slabs, _pageMap, _liveMap, _large, _guard);
    }

    /// <summary>
    /// create_pool: makes an area with the given specs and lays a pool out in it. create_pool has no address
    /// argument, so B_EXACT_ADDRESS (which needs one) and B_CLONE_ADDRESS are refused, and B_BASE_ADDRESS means at or
    /// above 0: anywhere. The pool writes its own metadata, so the protection must include B_WRITE_AREA or B_KERNEL_WRITE_AREA.
    /// </summary>
    /// <param name="areas">The registry that makes the pool's area.</param>
    /// <param name="addressSpec">create_area's address spec.</param>
    /// <param name="size">The area's size: a multiple of B_PAGE_SIZE from <see cref="PoolLayout.MinAreaSize"/> to <see cref="PoolLayout.MaxAreaSize"/>.</param>
    /// <param name="lockSpec">create_area's lock spec.</param>
    /// <param name="protection">create_area's protection; it must allow writing.</param>
    /// <param name="status">B_OK, or why the pool was not made.</param>
    /// <param name="settings">Beyond the Be Book: behaviour, hardening and caching (default <see cref="PoolSettings.Default"/>).</param>
    /// <returns>The pool, or null with <paramref name="status"/> saying why (B_BAD_VALUE, B_NO_MEMORY).</returns>
    public static PoolAllocator? Create(AreaRegistry areas, uint addressSpec, nuint size, uint lockSpec, uint protection, out int status, PoolSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(areas);
        settings ??= PoolSettings.Default;
        PoolLayout? layout = PoolLayout.For(size);
        if (layout is null || !settings.IsValid
            || addressSpec is B_EXACT_ADDRESS or B_CLONE_ADDRESS
            || !AreaSpecs.IsValidProtection(protection) || !AreaSpecs.IsWritable(protection))
        {
            status = B_BAD_VALUE;
            return null;
        }
        nint address = 0;
        int id = areas.CreateArea("area_malloc pool", ref address, addressSpec, size, lockSpec, protection);
        // Stryker disable once Equality : area ids start at 1 (docs/MUTATION.md#equivalent-bound)
        if (id < 0)
        {
            status = id;
            return null;
        }
        // The keys are drawn only for an area that was made, so a refused create_pool takes none from the source.
        HeapKeys keys = settings.KeySource?.Invoke() ?? HeapKeys.ForNewPool();
        PoolAllocator pool = settings.CachesInMagazines
            ? new PoolCore<MagazineCache>(areas, id, (byte*)address, layout.Value, settings, keys)
            : new PoolCore<NoCache>(areas, id, (byte*)address, layout.Value, settings, keys);
        pool.Initialize();
        status = B_OK;
        return pool;
    }

    /// <summary>Writes the header and makes the whole heap one free block.</summary>
    private void Initialize()
    {
        PoolHeader* h = Header;
        h->Magic = PoolLayout.Magic;
        h->AreaSize = _layout.AreaSize;
        h->PageMapOffset = _layout.PageMapOffset;
        h->LiveMapOffset = _layout.LiveMapOffset;
        h->HeapStart = _layout.HeapStart;
        h->HeapEnd = _layout.HeapEnd;
        _large.Initialize(_layout.HeapStart, _layout.HeapEnd);
    }

    /// <summary>The id of the pool's area in its registry.</summary>
    public int AreaId { get; }

    /// <summary>The registry the pool's area is in (where it can be cloned and exported, when it was made with B_CLONEABLE_AREA).</summary>
    public AreaRegistry Areas => _areas;

    /// <summary>The first byte of the pool's area.</summary>
    public nint Base => (nint)_base;

    /// <summary>Where the pool's metadata and heap sit in its area.</summary>
    public PoolLayout Layout => _layout;

    /// <summary>The largest request this pool satisfies when it holds no live block.</summary>
    public ulong MaxSingleRequest => _layout.MaxSingleRequest;

    /// <summary>The settings the pool was made with.</summary>
    public PoolSettings Settings => _settings;

    /// <summary>What the pool does when delete_pool races other calls on it.</summary>
    public PoolBehavior Behavior => _settings.Behavior;

    /// <summary>The optional hardening chosen at creation (check words and encoded links are always on).</summary>
    public PoolHardening Hardening => _settings.Hardening;

    /// <summary>The caching the pool does: <see cref="PoolCaching.None"/> when poison hardening overrode the settings' magazines.</summary>
    public abstract PoolCaching Caching { get; }

    /// <summary>True once <see cref="Delete"/> succeeded.</summary>
    public bool IsDeleted => Volatile.Read(ref _deleted);

    /// <summary>
    /// The first damage the pool met (a header failing its check word, a free-list link that does not decode to a free
    /// block, a slab header failing its magic, a use-after-free write), or null. Once set, every allocation returns NULL.
    /// </summary>
    public PoolDamage? Damage
    {
        get { using (_lock.Hold()) return _guard.FirstDamage; }
    }

    /// <summary>malloc: a block of at least max(size, 1) bytes, 16-byte aligned, or 0 when there is no room or the pool met damage.</summary>
    public abstract nint Malloc(nuint size);

    /// <summary>calloc: like <see cref="Malloc"/> for count*size bytes, zeroed; 0 when count*size overflows, there is no room or the pool met damage.</summary>
    public abstract nint Calloc(nuint count, nuint size);

    /// <summary>
    /// realloc: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns 0; a pointer that is not a live
    /// block of this pool, or whose metadata is damaged, is refused (0, counted in RefusedFrees, nothing changes).
    /// Otherwise the block is resized in place when it can be, else moved (the first min(old usable, size) bytes are
    /// copied); when no room can be found, or damage is met around the block or in the heap, or the pool met damage
    /// before, the result is 0 (counted in FailedAllocations) and the old block is intact.
    /// </summary>
    public abstract nint Realloc(nint block, nuint size);

    /// <summary>
    /// free: releases a live block. NULL is ignored; anything else that is not a live block of this pool is refused and
    /// counted, and so is a live block whose metadata or neighbours are damaged (<see cref="BlockCheck.Corrupt"/>: the
    /// pool refuses to follow the damage, records it in <see cref="Damage"/>, and the block stays live).
    /// </summary>
    /// <returns>What the pool found: <see cref="BlockCheck.Live"/> when the block was freed.</returns>
    public abstract BlockCheck Free(nint block);

    /// <summary>
    /// What <paramref name="block"/> is to this pool, and the usable size when it is a live block. A live block whose
    /// header (or slab header) is damaged is <see cref="BlockCheck.Corrupt"/>, and the damage is recorded.
    /// </summary>
    public abstract BlockCheck Check(nint block, out ulong usableSize);

    /// <summary>
    /// Gives every cached block and every spare slab back to the large-block allocator; after every block is freed this
    /// restores the pristine state. A spare whose metadata or neighbourhood is damaged stays (the damage is recorded).
    /// </summary>
    public abstract void Trim();

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

    /// <summary>A snapshot of the pool's counters, taken under its lock (finding the largest free block may meet, and record, damage).</summary>
    /// <exception cref="ObjectDisposedException">The pool was deleted under <see cref="PoolBehavior.SafeDeletion"/>.</exception>
    public abstract PoolStatistics GetStatistics();

    /// <summary>Walks every block, list, slab and map of the pool and reports the first broken invariant, if any.</summary>
    /// <exception cref="ObjectDisposedException">The pool was deleted under <see cref="PoolBehavior.SafeDeletion"/>.</exception>
    public abstract IntegrityReport CheckIntegrity();

    /// <summary>
    /// Runs the integrity walker reading the pool's memory through <paramref name="cloneArea"/>: another mapping of the
    /// pool's area, made by clone_area at another address. Everything the pool keeps in its area is addressed by offsets
    /// from the area's base, so the walk finds exactly what <see cref="CheckIntegrity"/> finds. It holds the pool's lock
    /// and drains its caches, as <see cref="CheckIntegrity"/> does; the clone must stay mapped until it returns.
    /// </summary>
    /// <param name="cloneArea">A readable area of <see cref="Areas"/> that maps the pool's memory.</param>
    /// <exception cref="ArgumentException"><paramref name="cloneArea"/> is not a readable area that maps this pool's memory.</exception>
    /// <exception cref="ObjectDisposedException">The pool was deleted.</exception>
    public IntegrityReport CheckIntegrityThrough(int cloneArea)
    {
        ObjectDisposedException.ThrowIf(IsDeleted, this);
        if (!_areas.SharesMemory(AreaId, cloneArea) || _areas.GetAreaInfo(cloneArea, out AreaInfo clone) != B_OK
            || (AreaSpecs.ToAccess(clone.Protection) & PageAccess.Read) == 0)
            throw new ArgumentException($"area {cloneArea} is not a readable clone of the pool's area {AreaId}", nameof(cloneArea));
        return WalkAt((byte*)clone.Address);
    }

    /// <summary>
    /// The integrity walker over the pool's memory as mapped at <paramref name="areaBase"/> (its own base, or a clone's),
    /// under the pool's lock with its caches drained.
    /// </summary>
    internal abstract IntegrityReport WalkAt(byte* areaBase);

    /// <summary>The body of <see cref="Delete"/>: call holding <see cref="Lock"/> (internal: a test deletes while a racing call waits for the lock).</summary>
    internal abstract int DeleteLocked();

    /// <summary>The pool's lock (internal: the tests hold it to show that the magazine fast paths never take it).</summary>
    internal PoolLock Lock => _lock;

    /// <summary>The pool's keys and damage record (internal: the tests forge and decode metadata with it).</summary>
    internal HeapGuard Guard => _guard;

    /// <summary>The pool's large-block heap (internal: the tests drive it directly; hold the lock in a shared pool).</summary>
    internal LargeBlockHeap LargeBlocks => _large;

    /// <summary>The pool's slab heap (internal: the tests drive it directly; hold the lock in a shared pool).</summary>
    internal SlabHeap Slabs => _slabs;

    /// <summary>The pool's live map (internal: the cache's fast paths read it).</summary>
    internal LiveMap LiveMap => _liveMap;

    /// <summary>The pool's page map (internal: the cache's fast paths read it).</summary>
    internal PageMap PageMap => _pageMap;

    /// <summary>The pool's header (internal: the tests forge its counters).</summary>
    internal PoolHeader* Header => (PoolHeader*)_base;

    /// <summary>The word a block in a magazine carries in its first 8 bytes (internal: the tests write it into a live block); 0 when the pool does not cache.</summary>
    internal abstract ulong CacheMark { get; }

    /// <summary>How many freed blocks wait in the pool's magazines, over all threads (internal: the tests check where blocks are).</summary>
    internal abstract int CachedBlocks { get; }

    /// <summary>
    /// The magazine of this pool that the calling thread's calls use, or null (internal: the tests hold it Busy, as a
    /// fast path in flight). Looked up from the caller's frame and, when nothing is bound there, the next window up: a
    /// call made from the caller may have bound the window of its own frame, which lies below the caller's.
    /// </summary>
    internal abstract ThreadMagazine? CurrentThreadMagazine { get; }

    /// <summary>
    /// Binds the window of <paramref name="stack"/> to <paramref name="magazine"/>, as a locked call made from there
    /// would (internal: the tests route a thread's calls to another thread's magazine, as a straddling window or a
    /// reused stack does).
    /// </summary>
    internal abstract void BindWindow(nuint stack, ThreadMagazine magazine);
}
