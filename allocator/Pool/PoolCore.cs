using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AreaMalloc.Areas;
using AreaMalloc.Format;
using AreaMalloc.Hardening;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Pool;

/// <summary>
/// The one core of every pool: malloc, calloc, realloc, free, check and trim, each read top to bottom, fast path first.
/// Generic over its cache policy (<typeparamref name="TCache"/>), so each kind of pool is compiled on its own and the
/// core never asks whether caching is on: a call first offers itself to the cache's lock-free path (for
/// <see cref="NoCache"/> a constant "no"), then takes the lock, stops the cache (<see cref="Quiesce"/>), and runs the
/// locked path. The pool's memory is touched only under the lock, or by the cache's lock-free paths in the blocks they
/// own. The locked building blocks are in PoolCore.Blocks.cs, statistics and the walker in PoolCore.Statistics.cs.
/// </summary>
/// <typeparam name="TCache">The cache policy: <see cref="NoCache"/> or <see cref="MagazineCache"/>.</typeparam>
internal sealed unsafe partial class PoolCore<TCache> : PoolAllocator where TCache : struct, ICachePolicy<TCache>
{
    /// <summary>The cache policy, set once by the constructor (not readonly: calls on a readonly field of a type parameter would copy the struct each time).</summary>
    private TCache _cache;

    internal PoolCore(AreaRegistry areas, int areaId, byte* areaBase, PoolLayout layout, PoolSettings settings, HeapKeys keys)
        : base(areas, areaId, areaBase, layout, settings, keys)
    {
        _cache = TCache.Create(this);
    }

    public override PoolCaching Caching => TCache.Kind;

    /// <inheritdoc />
    public override nint Malloc(nuint size)
    {
        nuint site = TCache.CallSite();
        if (size <= SizeClasses.MaxSmallSize)
        {
            nint cached = _cache.TryMalloc(size, site);
            if (cached != 0)
                return cached;
        }
        return MallocLocked(size, site);
    }

    /// <summary>The locked malloc (out of line, so that the fast path stays small and each kind of pool's path is compiled from its own profile).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint MallocLocked(nuint size, nuint site)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            if (_closed)
                return 0;
            if (!_guard.Damaged)
            {
                ulong offset = size <= SizeClasses.MaxSmallSize ? _cache.MallocLocked(this, size, site) : 0;
                if (offset == 0 && !_guard.Damaged)
                    offset = AllocateOrDrainLocked(size, out _);
                if (offset != 0)
                    return (nint)(_base + offset);
            }
            Header->FailedAllocations++;
            return 0;
        }
    }

    /// <inheritdoc />
    public override BlockCheck Free(nint block)
    {
        if (block == 0)
            return BlockCheck.Null;
        nuint site = TCache.CallSite();
        return _cache.TryFree(block, site) ? BlockCheck.Live : FreeLocked(block, site);
    }

    /// <summary>The locked free of a non-NULL block (out of line, as <see cref="MallocLocked"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private BlockCheck FreeLocked(nint block, nuint site)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            if (_closed)
                return BlockCheck.PoolDeleted;
            BlockCheck check = Classify(block, out ulong offset, out uint slab);
            if (check == BlockCheck.Live)
            {
                if (slab == 0 ? FreeLargeLocked(offset) : _cache.FreeSmallLocked(this, offset, slab, site))
                    return BlockCheck.Live;
                check = BlockCheck.Corrupt;
            }
            Header->RefusedFrees++;
            return check;
        }
    }

    /// <inheritdoc />
    public override nint Calloc(nuint count, nuint size)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            if (_closed)
                return 0;
            if (_guard.Damaged || (size != 0 && count > nuint.MaxValue / size))
            {
                Header->FailedAllocations++;
                return 0;
            }
            ulong cleanFrom = _large.DirtyHighWater;
            ulong offset = AllocateOrDrainLocked(count * size, out ulong usable);
            if (offset == 0)
            {
                Header->FailedAllocations++;
                return 0;
            }
            // Bytes at or above the old dirty mark were never written since the area was mapped: already zero
            // (poisoned bytes are always below it: the poison is never written above the mark).
            ulong end = Math.Min(offset + usable, cleanFrom);
            // Stryker disable once Equality : clearing 0 bytes changes nothing (docs/MUTATION.md#empty-range)
            if (end > offset)
                NativeMemory.Clear(_base + offset, (nuint)(end - offset));
            return (nint)(_base + offset);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// In a caching pool a slab object resized to a small size takes no lock when the magazine of the call's site can
    /// serve it (the old block is then cached, as a free would cache it). The locked path frees a moved block to its
    /// slab, never into a magazine.
    /// </remarks>
    public override nint Realloc(nint block, nuint size)
    {
        if (block == 0)
            return Malloc(size);
        // 1 to MaxSmallSize in one unsigned compare: 0 wraps to a huge value (realloc(p, 0) frees, under the lock).
        if (size - 1 < SizeClasses.MaxSmallSize)
        {
            nint resized = _cache.TryRealloc(block, size, TCache.CallSite());
            if (resized != 0)
                return resized;
        }
        return ReallocLocked(block, size);
    }

    /// <summary>The locked realloc of a non-NULL block.</summary>
    private nint ReallocLocked(nint block, nuint size)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            if (_closed)
                return 0;
            if (CheckLocked(block, out ulong offset) != BlockCheck.Live)
            {
                Header->RefusedFrees++;
                return 0;
            }
            if (size == 0)
            {
                if (!FreeBlockLocked(offset))
                    Header->RefusedFrees++;
                return 0;
            }
            if (_guard.Damaged)
            {
                Header->FailedAllocations++;
                return 0;
            }
            return ResizeLocked(offset, size);
        }
    }

    /// <inheritdoc />
    public override BlockCheck Check(nint block, out ulong usableSize)
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            if (_closed)
            {
                usableSize = 0;
                return BlockCheck.PoolDeleted;
            }
            BlockCheck check = CheckLocked(block, out ulong offset);
            usableSize = check == BlockCheck.Live ? UsableSizeLocked(offset) : 0;
            return check;
        }
    }

    /// <inheritdoc />
    public override void Trim()
    {
        using (_lock.Hold())
        {
            using QuiescedScope quiet = Quiesce();
            if (_closed)
                return;
            _cache.Drain(this);
            _slabs.ReleaseSpares();
        }
    }

    internal override int DeleteLocked()
    {
        if (_deleted)
            return B_ERROR;
        using QuiescedScope quiet = Quiesce();
        if (_areas.DeleteArea(AreaId) != B_OK)
            return B_ERROR;
        // No fast path runs (all stopped), and the cache is never resumed.
        _cache.Abandon();
        _closed = Behavior == PoolBehavior.SafeDeletion;
        Volatile.Write(ref _deleted, true);
        return B_OK;
    }

    /// <summary>
    /// What <paramref name="block"/> is by the maps alone: NULL, outside the heap, misaligned, not a block the program
    /// holds, or (<see cref="BlockCheck.Live"/>) the start of one, with its <paramref name="slab"/> (0 for a large block).
    /// Whether its metadata checks out is the caller's to ask, by the operation it runs. Call quiesced.
    /// </summary>
    private BlockCheck Classify(nint block, out ulong offset, out uint slab)
    {
        offset = (ulong)((nuint)block - (nuint)_base);
        slab = 0;
        if (block == 0)
            return BlockCheck.Null;
        if (offset < _heapStart || offset >= _heapEnd)
            return BlockCheck.OutsidePool;
        if (!Granules.IsAligned(offset))
            return BlockCheck.Misaligned;
        if (!IsHandedOutLocked(offset))
            return BlockCheck.NotLive;
        slab = _pageMap.SlabAt(offset);
        return BlockCheck.Live;
    }

    /// <summary><see cref="Classify"/>, then a live block's metadata: <see cref="BlockCheck.Corrupt"/> (damage recorded) when its header or slab header fails its check.</summary>
    private BlockCheck CheckLocked(nint block, out ulong offset)
    {
        BlockCheck check = Classify(block, out offset, out uint slab);
        if (check != BlockCheck.Live)
            return check;
        bool intact = slab != 0 ? _slabs.IsIntact(slab) : _large.IsLiveBlock(BlockFormat.HeaderOf(offset), slab: false);
        return intact ? BlockCheck.Live : BlockCheck.Corrupt;
    }

    /// <summary>Whether the block at <paramref name="offset"/> is in the program's hands: live, and held by no cache (a cached block is live too). Call quiesced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsHandedOutLocked(ulong offset) => _liveMap.IsSet(offset) && !_cache.Holds(offset);

    /// <summary>Stops the cache until the scope ends; the locked code inside it runs beside no lock-free path. Call under the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private QuiescedScope Quiesce()
    {
        _cache.Stop();
        return new QuiescedScope(this);
    }

    /// <summary>Resumes the cache when the scope ends (the outermost scope resumes it).</summary>
    private readonly ref struct QuiescedScope(PoolCore<TCache> core)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose() => core._cache.Resume();
    }
}
