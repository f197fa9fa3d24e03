using AreaMalloc.Pool;

namespace AreaMalloc.BeModule;

/// <summary>
/// The opaque pool ids handed out by create_pool, validated without dereferencing anything the caller passes.
/// An id is <c>[tag:8][generation:32][slot+1:24]</c>: the slot indexes a table of live pools, the generation
/// must match the slot's current one (a deleted pool's id never becomes valid again, even when its slot is
/// reused), and the tag makes small integers and stray pointers invalid. Readers take no lock: the slot array
/// is replaced, never resized in place, and entries are published with Volatile writes.
/// </summary>
internal sealed class PoolHandleTable
{
    private const ulong Tag = 0xA7;
    private const int SlotBits = 24;

    /// <summary>The most pools an id can name: the slot field holds slot + 1 in 24 bits.</summary>
    internal const uint MaxSlots = (1u << SlotBits) - 1;

    private sealed record Entry(PoolAllocator Pool, uint Generation);

    private readonly object _gate = new();
    private Entry?[] _slots = new Entry?[16];
    private uint[] _generations = new uint[16];
    private readonly Stack<int> _freeSlots = new();
    private readonly uint _capacity;
    private int _used;

    /// <summary>A table for up to <paramref name="capacity"/> live pools (tests make small ones to fill them).</summary>
    internal PoolHandleTable(uint capacity = MaxSlots)
    {
        ArgumentOutOfRangeException.ThrowIfZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxSlots);
        _capacity = capacity;
    }

    /// <summary>Number of live pools.</summary>
    public int Count
    {
        get { lock (_gate) return _used - _freeSlots.Count; }
    }

    /// <summary>Registers <paramref name="pool"/> and returns its id (never 0), or 0 when the table is full.</summary>
    public nint Add(PoolAllocator pool)
    {
        lock (_gate)
        {
            int slot;
            if (_freeSlots.Count > 0)
                slot = _freeSlots.Pop();
            else if (_used < _capacity)
            {
                slot = _used++;
                if (slot == _slots.Length)
                    Grow();
            }
            else
                return 0;
            uint generation = ++_generations[slot];
            Volatile.Write(ref _slots[slot], new Entry(pool, generation));
            return (nint)((Tag << 56) | ((ulong)generation << SlotBits) | (uint)(slot + 1));
        }
    }

    /// <summary>The live pool <paramref name="id"/> names, or null for anything else (deleted, never made, garbage).</summary>
    public PoolAllocator? Find(nint id)
    {
        ulong value = (ulong)id;
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        if (value >> 56 != Tag)
            return null;
        int slot = (int)(value & MaxSlots) - 1;
        Entry?[] slots = Volatile.Read(ref _slots);
        if ((uint)slot >= (uint)slots.Length)
            return null;
        Entry? entry = Volatile.Read(ref slots[slot]);
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        return entry is not null && entry.Generation == (uint)(value >> SlotBits) ? entry.Pool : null;
    }

    /// <summary>Unregisters the pool <paramref name="id"/> names and returns it, or null when it names no live pool.</summary>
    public PoolAllocator? Remove(nint id)
    {
        lock (_gate)
        {
            PoolAllocator? pool = Find(id);
            if (pool is null)
                return null;
            int slot = (int)((ulong)id & MaxSlots) - 1;
            Volatile.Write(ref _slots[slot], null);
            _freeSlots.Push(slot);
            return pool;
        }
    }

    /// <summary>
    /// Offers every pool to <paramref name="delete"/> and unregisters the ones it deleted; a pool it could not delete
    /// (the OS refused to unmap its area) stays registered. Returns how many pools stay.
    /// </summary>
    public int RemoveAll(Func<PoolAllocator, bool> delete)
    {
        lock (_gate)
        {
            int kept = 0;
            for (int slot = 0; slot < _used; slot++)
            {
                // (A plain null test, not `is not { } entry`: with the pattern, Stryker's mutant that removes the
                // `continue` does not compile, and its safe mode then drops every mutant of this method.)
                Entry? entry = _slots[slot];
                if (entry is null)
                    continue;
                if (!delete(entry.Pool))
                {
                    kept++;
                    continue;
                }
                Volatile.Write(ref _slots[slot], null);
                _freeSlots.Push(slot);
            }
            return kept;
        }
    }

    private void Grow()
    {
        var slots = new Entry?[_slots.Length * 2];
        Array.Copy(_slots, slots, _slots.Length);
        Array.Resize(ref _generations, slots.Length);
        Volatile.Write(ref _slots, slots);
    }
}
