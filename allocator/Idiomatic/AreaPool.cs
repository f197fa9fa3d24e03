using System.Globalization;
using AreaMalloc.Areas;
using AreaMalloc.Format;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Idiomatic;

/// <summary>
/// The idiomatic C# surface over one pool: a disposable owner of an area from which native blocks are
/// allocated, resized and freed. Failures throw with a message that names the problem; the pool is never
/// changed by a refused call. Thread-safe, except that <see cref="Dispose"/> must not race other calls
/// (as delete_pool must not, in the Be API) unless the pool was made with <see cref="PoolBehavior.SafeDeletion"/>:
/// then a call that loses the race to Dispose throws <see cref="ObjectDisposedException"/>.
/// A pool that met damage in its own memory (an overflow over a block header, a use-after-free write found by
/// <see cref="PoolHardening.PoisonFreedMemory"/>) throws <see cref="PoolCorruptedException"/> from every allocation; freeing a
/// block whose own metadata is damaged throws <see cref="InvalidBlockException"/>.
/// </summary>
public sealed class AreaPool : IDisposable
{
    private readonly PoolAllocator _pool;

    private AreaPool(PoolAllocator pool) => _pool = pool;

    /// <summary>Creates a pool in a new area of <paramref name="size"/> bytes (a positive multiple of B_PAGE_SIZE).</summary>
    /// <exception cref="PoolCreationException">The specs are invalid or the OS refused the area.</exception>
    public static AreaPool Create(nuint size, PoolOptions? options = null)
    {
        options ??= new PoolOptions();
        PoolAllocator? pool = PoolAllocator.Create(options.Areas ?? AreaRegistry.Shared, options.AddressSpec, size,
            options.LockSpec, options.Protection, out int status, options.Settings);
        if (pool is null)
        {
            string why = status == B_NO_MEMORY ? "B_NO_MEMORY: the OS refused to map or lock the area" : "B_BAD_VALUE: the size or specs are invalid";
            throw new PoolCreationException(string.Create(CultureInfo.InvariantCulture,
                $"create_pool({size} bytes, addressSpec {options.AddressSpec}, lockSpec {options.LockSpec}, protection {options.Protection}) failed with {why}. Sizes must be multiples of {B_PAGE_SIZE} from {PoolLayout.MinAreaSize} to {PoolLayout.MaxAreaSize} and the protection must allow writing."), status);
        }
        return new AreaPool(pool);
    }

    /// <summary>The allocator behind this pool (statistics, integrity, the raw operations).</summary>
    public PoolAllocator Allocator => _pool;

    /// <summary>The largest request this pool satisfies when it holds no live block.</summary>
    public ulong MaxSingleRequest => _pool.MaxSingleRequest;

    /// <summary>Allocates at least <paramref name="size"/> bytes (16-byte aligned; 0 bytes gives a unique block).</summary>
    /// <exception cref="PoolExhaustedException">The pool has no room.</exception>
    /// <exception cref="PoolCorruptedException">The pool met damage in its memory and refuses allocations.</exception>
    public nint Allocate(nuint size)
    {
        nint block = Live().Malloc(size);
        return block != 0 ? block : throw Exhausted(size);
    }

    /// <summary>Allocates zeroed room for <paramref name="count"/> items of <paramref name="size"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count * size overflows.</exception>
    /// <exception cref="PoolExhaustedException">The pool has no room.</exception>
    /// <exception cref="PoolCorruptedException">The pool met damage in its memory and refuses allocations.</exception>
    public nint AllocateZeroed(nuint count, nuint size)
    {
        if (size != 0 && count > nuint.MaxValue / size)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} items of {size} bytes overflow the address space.");
        nint block = Live().Calloc(count, size);
        return block != 0 ? block : throw Exhausted(count * size);
    }

    /// <summary>
    /// Resizes <paramref name="block"/> to <paramref name="size"/> bytes, in place when it can, else by moving it
    /// (the contents up to the smaller size are kept). A zero <paramref name="block"/> allocates; a zero size frees
    /// the block and returns 0.
    /// </summary>
    /// <exception cref="InvalidBlockException">The block is not a live block of this pool (nothing changed).</exception>
    /// <exception cref="PoolExhaustedException">No room for the new size (the old block is intact).</exception>
    /// <exception cref="PoolCorruptedException">The pool met damage in its memory and refuses allocations (the old block is intact).</exception>
    public nint Resize(nint block, nuint size)
    {
        if (block != 0)
            Validate(block, nameof(block));
        nint resized = Live().Realloc(block, size);
        return resized != 0 || size == 0 ? resized : throw Exhausted(size);
    }

    /// <summary>Frees <paramref name="block"/>; 0 is ignored.</summary>
    /// <exception cref="InvalidBlockException">The block is not a live block of this pool (nothing changed).</exception>
    public void Free(nint block)
    {
        BlockCheck check = Live().Free(block);
        if (check is not (BlockCheck.Live or BlockCheck.Null))
            throw Invalid(block, check, nameof(block));
    }

    /// <summary>The usable bytes of <paramref name="block"/> (at least what was asked for).</summary>
    /// <exception cref="InvalidBlockException">The block is not a live block of this pool.</exception>
    public ulong UsableSize(nint block) => Validate(block, nameof(block));

    /// <summary>The usable bytes of <paramref name="block"/> as a span (at most int.MaxValue bytes).</summary>
    /// <exception cref="InvalidBlockException">The block is not a live block of this pool.</exception>
    public unsafe Span<byte> AsSpan(nint block)
    {
        ulong usable = Validate(block, nameof(block));
        return new Span<byte>((void*)block, (int)Math.Min(usable, int.MaxValue));
    }

    /// <summary>A snapshot of the pool's statistics.</summary>
    public PoolStatistics GetStatistics() => Live().GetStatistics();

    /// <summary>Runs the integrity walker.</summary>
    public IntegrityReport CheckIntegrity() => Live().CheckIntegrity();

    /// <summary>
    /// Opens a view of the pool through a clone of its area at another address (see <see cref="PoolView"/>): blocks are
    /// read, and with <see cref="PoolViewAccess.ReadWrite"/> written, at the same offsets; the walker runs through it.
    /// The pool must have been created with B_CLONEABLE_AREA in <see cref="PoolOptions.Protection"/>.
    /// </summary>
    /// <param name="access">Read only (the default) or read and write.</param>
    /// <exception cref="PoolSharingException">The pool's area is not shared, or the OS has no room for the clone.</exception>
    public PoolView OpenView(PoolViewAccess access = PoolViewAccess.ReadOnly) => PoolView.Open(Live(), access);

    /// <summary>
    /// The handle another process clones the pool's area with (<see cref="AreaRegistry.CloneArea(string, ref nint, uint, uint, string)"/>
    /// with its text): B_CLONE_ADDRESS there places the clone at this pool's address, so block pointers mean the same in both.
    /// </summary>
    /// <exception cref="PoolSharingException">The pool's area is not shared (made without B_CLONEABLE_AREA): no other process could clone it.</exception>
    public AreaHandle Export()
    {
        PoolAllocator pool = Live();
        pool.Areas.ExportArea(pool.AreaId, out AreaHandle handle); // a live pool's area is live: B_OK
        if (!AreaSpecs.IsShared(handle.Protection))
            throw new PoolSharingException($"The pool's area {pool.AreaId} is private: create the pool with B_CLONEABLE_AREA in its protection to share it with another process.", B_NOT_ALLOWED);
        return handle;
    }

    /// <summary>Releases the spare slabs; after every block is freed, the pool is then pristine.</summary>
    public void Trim() => Live().Trim();

    /// <summary>Deletes the pool and unmaps its area; every block is invalid at once. Idempotent.</summary>
    public void Dispose()
    {
        if (!_pool.IsDeleted)
            _pool.Delete();
    }

    private PoolAllocator Live()
    {
        ObjectDisposedException.ThrowIf(_pool.IsDeleted, this);
        return _pool;
    }

    private ulong Validate(nint block, string paramName)
    {
        BlockCheck check = Live().Check(block, out ulong usable);
        return check == BlockCheck.Live ? usable : throw Invalid(block, check, paramName);
    }

    private PoolExhaustedException Exhausted(nuint size)
    {
        ObjectDisposedException.ThrowIf(_pool.IsDeleted, this); // lost a race to Dispose (SafeDeletion)
        PoolStatistics stats = _pool.GetStatistics();
        if (stats.FirstDamage is PoolDamage damage)
            throw new PoolCorruptedException(string.Create(CultureInfo.InvariantCulture,
                $"The pool refuses to allocate {size} bytes: it met damage in its own memory ({damage}). It refuses every allocation from now on; copy out what you need and dispose of it."), damage);
        return new PoolExhaustedException(string.Create(CultureInfo.InvariantCulture,
            $"The pool has no room for {size} bytes: {stats.BytesInUse} of {stats.HeapSize} heap bytes are in use in {stats.LiveBlocks} blocks; the largest free block holds {stats.LargestFreeBlock} bytes."));
    }

    private InvalidBlockException Invalid(nint block, BlockCheck check, string paramName)
    {
        ObjectDisposedException.ThrowIf(check == BlockCheck.PoolDeleted, this); // lost a race to Dispose (SafeDeletion)
        string why = check switch
        {
            BlockCheck.Null => "is NULL",
            BlockCheck.OutsidePool => "is not inside this pool (a foreign pointer, or another pool's block)",
            BlockCheck.Misaligned => "is inside this pool but not 16-byte aligned, so it is not the start of a block",
            BlockCheck.NotLive => "is not a live block of this pool (already freed, or pointing into the middle of a block)",
            _ => "names a block whose metadata (or a neighbour's) is damaged; the pool refuses to follow it (" + _pool.Damage + ")",
        };
        return new InvalidBlockException(string.Create(CultureInfo.InvariantCulture, $"Pointer 0x{block:x} {why}; the pool is unchanged."), paramName);
    }
}
