using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Facts;

/// <summary>Helpers shared by the facts: fresh pools in a private registry, pattern fill and check.</summary>
internal static unsafe class PoolFixture
{
    /// <summary>A pool in its own registry over the real Linux backend.</summary>
    public static PoolAllocator NewPool(nuint size = 1 << 20, AreaRegistry? areas = null, PoolCaching caching = PoolCaching.None)
    {
        PoolAllocator? pool = PoolAllocator.Create(areas ?? new AreaRegistry(new LinuxAreaBackend()), B_ANY_ADDRESS, size,
            B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status, new PoolSettings { Caching = caching });
        Assert.True(pool is not null, $"create_pool({size}) failed with status {status}");
        return pool!;
    }

    /// <summary>A pool with per-thread magazines (<see cref="PoolCaching.ThreadMagazines"/>), as <see cref="NewPool"/> makes it.</summary>
    public static PoolAllocator NewCachingPool(nuint size = 1 << 20) => NewPool(size, caching: PoolCaching.ThreadMagazines);

    /// <summary>The byte at <paramref name="index"/> of the pattern of block <paramref name="identity"/>.</summary>
    public static byte PatternByte(long identity, long index) => (byte)(identity * 31 + index * 7 + 1);

    /// <summary>The pattern repeats every 256 bytes (7 is odd, so <c>index * 7</c> mod 256 has period 256).</summary>
    private const int PatternPeriod = 256;

    /// <summary>One period of the pattern of block <paramref name="identity"/>: byte i is <see cref="PatternByte"/>(identity, i).</summary>
    private static byte[] PatternPeriodOf(long identity)
    {
        var period = new byte[PatternPeriod];
        for (int i = 0; i < PatternPeriod; i++)
            period[i] = PatternByte(identity, i);
        return period;
    }

    /// <summary>Writes the pattern of block <paramref name="identity"/> over <paramref name="length"/> bytes (a period at a time).</summary>
    public static void Fill(nint block, ulong length, long identity)
    {
        byte[] period = PatternPeriodOf(identity);
        byte* p = (byte*)block;
        for (ulong at = 0; at < length; at += PatternPeriod)
        {
            int n = (int)Math.Min(PatternPeriod, length - at);
            period.AsSpan(0, n).CopyTo(new Span<byte>(p + at, n));
        }
    }

    /// <summary>Null when the block holds its pattern, else a message naming the first wrong byte.</summary>
    public static string? FindDamage(nint block, ulong length, long identity)
    {
        byte[] period = PatternPeriodOf(identity);
        byte* p = (byte*)block;
        for (ulong at = 0; at < length; at += PatternPeriod)
        {
            int n = (int)Math.Min(PatternPeriod, length - at);
            var actual = new ReadOnlySpan<byte>(p + at, n);
            int same = actual.CommonPrefixLength(period.AsSpan(0, n));
            if (same < n)
            {
                ulong i = at + (ulong)same;
                return $"block #{identity} at 0x{block:x}: byte {i} is 0x{p[i]:x2}, expected 0x{PatternByte(identity, (long)i):x2}";
            }
        }
        return null;
    }

    public static void AssertIntact(PoolAllocator pool)
    {
        IntegrityReport report = pool.CheckIntegrity();
        Assert.True(report.IsValid, report.ToString());
    }

    /// <summary>
    /// The end of a fact: the pool's statistics count <paramref name="live"/> live blocks, <paramref name="refused"/>
    /// refused calls and <paramref name="failed"/> failed allocations, its structures walk clean, and it is deleted.
    /// </summary>
    public static void AssertCountsThenDelete(PoolAllocator pool, long live, long refused, long failed = 0)
    {
        PoolStatistics stats = pool.GetStatistics();
        Assert.True((stats.LiveBlocks, stats.RefusedFrees, stats.FailedAllocations) == (live, refused, failed),
            $"expected {live} live blocks, {refused} refused calls, {failed} failed allocations; "
            + $"actual {stats.LiveBlocks} live, {stats.RefusedFrees} refused, {stats.FailedAllocations} failed");
        AssertIntact(pool);
        Assert.Equal(B_OK, pool.Delete());
    }
}
