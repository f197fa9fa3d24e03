using System.Globalization;
using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Idiomatic;

/// <summary>How a <see cref="PoolView"/> may touch the pool's memory.</summary>
public enum PoolViewAccess
{
    /// <summary>Read only: the view's pages are mapped without write access, so a write through them faults.</summary>
    ReadOnly,

    /// <summary>Read and write: what is written through the view is what the pool's own blocks hold.</summary>
    ReadWrite,
}

/// <summary>
/// A pool seen through a clone of its area at another address: the same memory mapped twice. A block allocated in the
/// pool is at the same offset from the view's <see cref="Base"/> as from the pool's, so <see cref="AddressOf"/> is
/// a translation by a constant, and the integrity walker passes through the view exactly when it passes on the pool
/// (everything the pool keeps in its area is addressed by offsets). The view's access is enforced by the OS: a read-only
/// view's pages cannot be written. The pool's area must be shared (made with B_CLONEABLE_AREA in
/// <see cref="PoolOptions.Protection"/>, or create_pool's protection). Disposing the view deletes the clone and leaves
/// the pool untouched; after the pool is deleted, the view refuses every block (the memory stays mapped until the view
/// is disposed). Not to be disposed while another call on it runs.
/// </summary>
public sealed class PoolView : IDisposable
{
    private readonly PoolAllocator _pool;
    private bool _disposed;

    private PoolView(PoolAllocator pool, int areaId, nint viewBase, PoolViewAccess access)
    {
        _pool = pool;
        AreaId = areaId;
        Base = viewBase;
        Access = access;
    }

    /// <summary>Opens a view of <paramref name="pool"/> through a new clone of its area, placed anywhere.</summary>
    /// <param name="pool">A live pool whose area is shared.</param>
    /// <param name="access">Read only (the default) or read and write.</param>
    /// <exception cref="PoolSharingException">The pool's area is not shared (B_NOT_ALLOWED), or the OS has no room for the clone (B_NO_MEMORY).</exception>
    /// <exception cref="ObjectDisposedException">The pool was deleted.</exception>
    public static PoolView Open(PoolAllocator pool, PoolViewAccess access = PoolViewAccess.ReadOnly)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)access, (uint)PoolViewAccess.ReadWrite, nameof(access));
        ObjectDisposedException.ThrowIf(pool.IsDeleted, pool);
        uint protection = access == PoolViewAccess.ReadWrite ? B_READ_AREA | B_WRITE_AREA : B_READ_AREA;
        nint address = 0;
        int id = pool.Areas.CloneArea("area_malloc pool view", ref address, B_ANY_ADDRESS, protection, pool.AreaId);
        if (id < 0)
        {
            string why = id == B_NOT_ALLOWED
                ? "B_NOT_ALLOWED: the pool's area is private; create the pool with B_CLONEABLE_AREA in its protection to share it"
                : "status " + id.ToString(CultureInfo.InvariantCulture) + (id == B_NO_MEMORY ? " (B_NO_MEMORY: the OS has no room for another mapping)" : "");
            throw new PoolSharingException($"clone_area of the pool's area {pool.AreaId} failed with {why}; the pool is unchanged.", id);
        }
        return new PoolView(pool, id, address, access);
    }

    /// <summary>The id of the clone that maps the pool's memory for this view.</summary>
    public int AreaId { get; }

    /// <summary>Where the pool's area starts in this view (the pool's own base is <see cref="PoolAllocator.Base"/>).</summary>
    public nint Base { get; }

    /// <summary>What the view may do with the memory.</summary>
    public PoolViewAccess Access { get; }

    /// <summary>Where the byte at <paramref name="address"/> of the pool's area is in this view: the same offset from <see cref="Base"/>.</summary>
    /// <param name="address">An address inside the pool's area (as the pool hands blocks out).</param>
    /// <exception cref="ArgumentOutOfRangeException">The address is not inside the pool's area.</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public nint AddressOf(nint address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        nuint offset = (nuint)address - (nuint)_pool.Base;
        if (offset >= _pool.Layout.AreaSize)
            throw new ArgumentOutOfRangeException(nameof(address), address, $"0x{address:x} is not inside the pool's area [0x{_pool.Base:x}, +{_pool.Layout.AreaSize}).");
        return (nint)((nuint)Base + offset);
    }

    /// <summary>The usable bytes of the pool's live block <paramref name="block"/>, read through this view.</summary>
    /// <param name="block">A live block of the pool, as the pool handed it out.</param>
    /// <exception cref="InvalidBlockException">The pointer is not a live block of the pool.</exception>
    /// <exception cref="ObjectDisposedException">The view or the pool was disposed.</exception>
    public unsafe ReadOnlySpan<byte> AsReadOnlySpan(nint block)
    {
        int usable = Usable(block); // a live block lies inside the area, so its translation cannot fail
        return new ReadOnlySpan<byte>((void*)AddressOf(block), usable);
    }

    /// <summary>The usable bytes of the pool's live block <paramref name="block"/>, to read and write through this view.</summary>
    /// <param name="block">A live block of the pool, as the pool handed it out.</param>
    /// <exception cref="InvalidOperationException">The view is read only.</exception>
    /// <exception cref="InvalidBlockException">The pointer is not a live block of the pool.</exception>
    /// <exception cref="ObjectDisposedException">The view or the pool was disposed.</exception>
    public unsafe Span<byte> AsSpan(nint block)
    {
        if (Access != PoolViewAccess.ReadWrite)
            throw new InvalidOperationException("the view is read only: its pages cannot be written (open it with PoolViewAccess.ReadWrite).");
        int usable = Usable(block);
        return new Span<byte>((void*)AddressOf(block), usable);
    }

    /// <summary>Runs the pool's integrity walker reading every byte through this view (see <see cref="PoolAllocator.CheckIntegrityThrough"/>).</summary>
    /// <exception cref="ObjectDisposedException">The view or the pool was disposed.</exception>
    public IntegrityReport CheckIntegrity()
    {
        Live();
        return _pool.CheckIntegrityThrough(AreaId);
    }

    /// <summary>
    /// Deletes the clone; the pool is untouched. Idempotent. When the OS refuses to unmap the clone (delete_area
    /// B_ERROR), the view stays open and usable, and disposing it again retries, so no mapping is stranded.
    /// </summary>
    public void Dispose()
    {
        if (!_disposed && _pool.Areas.DeleteArea(AreaId) == B_OK)
            _disposed = true;
    }

    private void Live()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(_pool.IsDeleted, _pool);
    }

    /// <summary>The usable size of a live block (at most int.MaxValue bytes).</summary>
    private int Usable(nint block)
    {
        Live();
        BlockCheck check = _pool.Check(block, out ulong usable);
        if (check != BlockCheck.Live)
            throw new InvalidBlockException(string.Create(CultureInfo.InvariantCulture, $"Pointer 0x{block:x} is not a live block of the pool ({check}); nothing was read or written."), nameof(block));
        return (int)Math.Min(usable, int.MaxValue);
    }
}
