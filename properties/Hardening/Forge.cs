using AreaMalloc.Areas;
using AreaMalloc.LargeBlocks;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Hardening;

/// <summary>
/// Helpers of the hardening facts: pools with and without poison, the pool's metadata as the allocator lays it out,
/// forging (writes made with the pool's own keys, to build a sealed-but-wrong header or a link that names a chosen
/// place: what only an allocator bug, or an attacker who knows the keys, could write), and the checks every
/// detection fact ends with. Offsets are from the area's base, as the pool reports them.
/// </summary>
internal static unsafe class Forge
{
    /// <summary>A pool in its own registry over the real Linux backend.</summary>
    public static PoolAllocator NewPool(bool poison = false, nuint size = 1 << 20)
    {
        PoolAllocator? pool = PoolAllocator.Create(new AreaRegistry(new LinuxAreaBackend()), B_ANY_ADDRESS, size, B_NO_LOCK,
            B_READ_AREA | B_WRITE_AREA, out int status, new PoolSettings { Hardening = poison ? PoolHardening.PoisonFreedMemory : PoolHardening.None });
        Assert.True(pool is not null, $"create_pool({size}) failed with status {status}");
        return pool!;
    }

    public static ulong Off(PoolAllocator pool, nint p) => (ulong)(p - pool.Base);

    public static nint At(PoolAllocator pool, ulong offset) => pool.Base + (nint)offset;

    public static BlockHeader* Header(PoolAllocator pool, ulong offset) => (BlockHeader*)At(pool, offset);

    /// <summary>The offset of the boundary tag of the large block whose payload is <paramref name="payload"/>.</summary>
    public static ulong HeaderOffset(PoolAllocator pool, nint payload) => Off(pool, payload) - 16;

    /// <summary>Rewrites the check word of the header at <paramref name="offset"/> as the allocator would (a forged, sealed header).</summary>
    public static void Reseal(PoolAllocator pool, ulong offset)
    {
        BlockHeader* h = Header(pool, offset);
        h->Check = pool.Guard.Keys.CheckWord(offset, h->Size, h->PrevSize, h->Flags);
    }

    public static FreeLinks* Links(PoolAllocator pool, ulong block) => (FreeLinks*)At(pool, block + 16);

    /// <summary>Stores <paramref name="granule"/> as the encoded next link of the free block at <paramref name="block"/>.</summary>
    public static void ForgeNext(PoolAllocator pool, ulong block, uint granule) => Links(pool, block)->Next = pool.Guard.Keys.Encode(granule, block + 16);

    /// <summary>Stores <paramref name="granule"/> as the encoded previous link of the free block at <paramref name="block"/>.</summary>
    public static void ForgePrev(PoolAllocator pool, ulong block, uint granule) => Links(pool, block)->Prev = pool.Guard.Keys.Encode(granule, block + 20);

    public static uint NextOf(PoolAllocator pool, ulong block) => pool.Guard.Keys.Decode(Links(pool, block)->Next, block + 16);

    /// <summary>Stores <paramref name="granule"/> as the encoded free-list link of the free slab object at <paramref name="obj"/>.</summary>
    public static void ForgeSlabLink(PoolAllocator pool, ulong obj, uint granule) => *(uint*)At(pool, obj) = pool.Guard.Keys.Encode(granule, obj);

    public static uint SlabLinkOf(PoolAllocator pool, ulong obj) => pool.Guard.Keys.Decode(*(uint*)At(pool, obj), obj);

    /// <summary>The granule index of the slab block whose objects cover <paramref name="obj"/>.</summary>
    public static uint SlabOf(PoolAllocator pool, nint obj) =>
        ((uint*)At(pool, pool.Layout.PageMapOffset))[Off(pool, obj) / B_PAGE_SIZE];

    public static SlabHeader* Slab(PoolAllocator pool, uint slab) => (SlabHeader*)At(pool, ((ulong)slab << 4) + 16);

    public static uint Granule(ulong offset) => (uint)(offset >> 4);

    /// <summary>The first page boundary at least 2,000 bytes into the heap: room for a large first block before it.</summary>
    public static ulong PagePastAFirstBlock(PoolAllocator pool) => (pool.Layout.HeapStart + 2000 + 4095) & ~4095UL;

    /// <summary>The payload size whose block ends exactly on a page boundary when it is the pool's first block.</summary>
    public static nuint FirstBlockEndingOnAPage(PoolAllocator pool, ulong atLeast)
    {
        ulong start = pool.Layout.HeapStart;
        ulong end = (start + 16 + atLeast + B_PAGE_SIZE - 1) / B_PAGE_SIZE * B_PAGE_SIZE;
        return (nuint)(end - start - 16);
    }

    /// <summary>The pool recorded <paramref name="kind"/> damage at <paramref name="offset"/>, described with <paramref name="phrase"/>.</summary>
    public static void AssertDamage(PoolAllocator pool, DamageKind kind, ulong offset, string phrase)
    {
        PoolDamage? damage = pool.Damage;
        Assert.True(damage is not null, $"expected {kind} damage at 0x{offset:x} to be recorded; actual: none");
        Assert.True(damage!.Kind == kind && damage.Offset == offset, $"expected {kind} damage at 0x{offset:x}; actual: {damage}");
        Assert.True(damage.Description.Contains(phrase, StringComparison.Ordinal), $"expected the damage to say \"{phrase}\"; actual: {damage}");
        Assert.Equal(damage, pool.GetStatistics().FirstDamage);
    }

    /// <summary>The integrity walker reports a violation at <paramref name="offset"/> that says <paramref name="phrase"/>.</summary>
    public static void AssertWalkerNames(PoolAllocator pool, ulong offset, string phrase)
    {
        IntegrityReport report = pool.CheckIntegrity();
        Assert.True(!report.IsValid && report.Offset == offset && report.Violation!.Contains(phrase, StringComparison.Ordinal),
            $"expected the walker to name 0x{offset:x} with \"{phrase}\"; actual: {report}");
    }

    /// <summary>The pool has met no damage and the walker passes.</summary>
    public static void AssertUndamaged(PoolAllocator pool)
    {
        Assert.True(pool.Damage is null, $"expected no damage; actual: {pool.Damage}");
        IntegrityReport report = pool.CheckIntegrity();
        Assert.True(report.IsValid, $"expected an intact pool; actual: {report}");
    }

    /// <summary>Every allocation call returns NULL and is counted as failed (the pool refuses to allocate once damaged).</summary>
    public static void AssertRefusesAllocations(PoolAllocator pool, nint liveBlock)
    {
        long failed = pool.GetStatistics().FailedAllocations;
        nuint[] sizes = [0, 16, 64, 1024, 1025, 5000, 100_000];
        foreach (nuint size in sizes)
        {
            Assert.True(pool.Malloc(size) == 0, $"malloc({size}) of a damaged pool: expected NULL");
            Assert.True(pool.Calloc(1, size) == 0, $"calloc(1, {size}) of a damaged pool: expected NULL");
            Assert.True(pool.Realloc(0, size) == 0, $"realloc(NULL, {size}) of a damaged pool: expected NULL");
            if (liveBlock != 0)
                Assert.True(pool.Realloc(liveBlock, size + 1) == 0, $"realloc(live block, {size + 1}) of a damaged pool: expected NULL");
        }
        long expected = failed + sizes.Length * (liveBlock != 0 ? 4 : 3);
        Assert.Equal(expected, pool.GetStatistics().FailedAllocations);
    }
}

/// <summary>
/// Every block handed out and not yet freed, with its usable size: each new block must be disjoint from all of
/// them (the law "no overlapping memory is ever handed out", checked on the addresses themselves).
/// </summary>
internal sealed class Ledger(PoolAllocator pool)
{
    private readonly Dictionary<nint, ulong> _live = [];

    public IReadOnlyDictionary<nint, ulong> Live => _live;

    public nint Malloc(nuint size) => Adopt(pool.Malloc(size), size);

    public nint Calloc(nuint count, nuint size) => Adopt(pool.Calloc(count, size), count * size);

    public nint Realloc(nint block, nuint size)
    {
        nint resized = pool.Realloc(block, size);
        if (resized != 0 || (size == 0 && pool.Check(block, out _) != BlockCheck.Live))
            _live.Remove(block);
        return resized == 0 ? 0 : Adopt(resized, size);
    }

    public BlockCheck Free(nint block)
    {
        BlockCheck check = pool.Free(block);
        if (check == BlockCheck.Live)
            _live.Remove(block);
        return check;
    }

    private nint Adopt(nint block, nuint asked)
    {
        if (block == 0)
            return 0;
        ulong size = Math.Max((ulong)asked, 1);
        foreach ((nint other, ulong otherSize) in _live)
        {
            bool apart = (ulong)block + size <= (ulong)other || (ulong)other + otherSize <= (ulong)block;
            Assert.True(apart, $"block 0x{block:x} ({size} bytes) overlaps the live block 0x{other:x} ({otherSize} bytes)");
        }
        _live[block] = size;
        return block;
    }
}
