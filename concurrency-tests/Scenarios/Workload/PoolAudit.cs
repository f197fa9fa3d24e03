using AreaMalloc.Pool;
using AreaMalloc.TestKit.Audit;
using Microsoft.Coyote.Specifications;

namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>
/// The laws checked at the end of an iteration, when no task runs: the blocks held do not overlap, their contents are
/// intact, the statistics agree with them, and the integrity walker passes. Failures are Coyote specification failures
/// whose text names offsets from the pool's base (the same when a trace is replayed).
/// </summary>
public static class PoolAudit
{
    /// <summary>
    /// Checks every law for a pool holding exactly <paramref name="blocks"/>, after <paramref name="failedAllocations"/>
    /// failed allocations and <paramref name="refusedFrees"/> frees the scenario expected to be refused.
    /// </summary>
    public static void AssertConsistent(PoolAllocator pool, IReadOnlyList<LiveBlock> blocks, long failedAllocations, long refusedFrees = 0)
    {
        var sized = new List<(LiveBlock Block, ulong Usable)>(blocks.Count);
        ulong bytesInUse = 0;
        foreach (LiveBlock block in blocks)
        {
            BlockCheck check = pool.Check(block.Address, out ulong usable);
            Specification.Assert(check == BlockCheck.Live,
                $"block {block.Id} at offset 0x{Offset(pool, block.Address):x} is held but the pool says {check}");
            Specification.Assert(usable >= block.Size,
                $"block {block.Id} at offset 0x{Offset(pool, block.Address):x} holds {usable} usable bytes, fewer than the {block.Size} asked for");
            long damage = Patterns.FirstDamage(block.Address, block.Size, block.Id);
            Specification.Assert(damage < 0,
                $"block {block.Id} ({block.Size} bytes at offset 0x{Offset(pool, block.Address):x}, task {block.Owner}) was overwritten at byte {damage}");
            sized.Add((block, usable));
            bytesInUse += usable;
        }

        sized.Sort((a, b) => a.Block.Address.CompareTo(b.Block.Address));
        for (int i = 1; i < sized.Count; i++)
        {
            (LiveBlock before, ulong usable) = sized[i - 1];
            LiveBlock after = sized[i].Block;
            Specification.Assert((ulong)before.Address + usable <= (ulong)after.Address,
                $"blocks overlap: block {before.Id} at offset 0x{Offset(pool, before.Address):x} ({usable} usable bytes) runs into block {after.Id} at offset 0x{Offset(pool, after.Address):x}");
        }

        PoolStatistics stats = pool.GetStatistics();
        Specification.Assert(stats.LiveBlocks == blocks.Count,
            $"statistics: LiveBlocks is {stats.LiveBlocks}, expected {blocks.Count} (the blocks held)");
        Specification.Assert(stats.BytesInUse == bytesInUse,
            $"statistics: BytesInUse is {stats.BytesInUse}, expected {bytesInUse} (the usable bytes of the blocks held)");
        Specification.Assert(stats.FailedAllocations == failedAllocations,
            $"statistics: FailedAllocations is {stats.FailedAllocations}, expected {failedAllocations} (the NULLs the tasks saw)");
        Specification.Assert(stats.RefusedFrees == refusedFrees, $"statistics: RefusedFrees is {stats.RefusedFrees}, expected {refusedFrees} (the frees the scenario expected to be refused)");

        IntegrityReport integrity = pool.CheckIntegrity();
        Specification.Assert(integrity.IsValid, $"integrity walker: {integrity}");
        AssertLaws(pool, "at the end of the iteration");
    }

    /// <summary>The shared audit of every reported figure (<see cref="StatisticsAudit"/>): each equals the walker's recount or keeps its bound.</summary>
    public static void AssertLaws(PoolAllocator pool, string when)
    {
        string? laws = StatisticsAudit.Describe(pool);
        Specification.Assert(laws is null, $"statistics {when}: {laws}");
    }

    /// <summary>Frees <paramref name="blocks"/>, trims, and checks that the pool is pristine again (no block, no slab, one free block).</summary>
    public static void AssertFreesToPristine(PoolAllocator pool, IReadOnlyList<LiveBlock> blocks)
    {
        foreach (LiveBlock block in blocks)
        {
            BlockCheck check = pool.Free(block.Address);
            Specification.Assert(check == BlockCheck.Live, $"final free of block {block.Id} at offset 0x{Offset(pool, block.Address):x}: {check}");
        }
        pool.Trim();
        PoolStatistics stats = pool.GetStatistics();
        Specification.Assert(stats.LiveBlocks == 0 && stats.BytesInUse == 0 && stats.SlabCount == 0,
            $"after freeing everything and Trim: {stats.LiveBlocks} live blocks, {stats.BytesInUse} bytes in use, {stats.SlabCount} slabs; expected none");
        Specification.Assert(stats.LargestFreeBlock == pool.MaxSingleRequest,
            $"after freeing everything and Trim the largest free block is {stats.LargestFreeBlock} bytes, expected the whole heap ({pool.MaxSingleRequest})");
        IntegrityReport integrity = pool.CheckIntegrity();
        Specification.Assert(integrity.IsValid, $"integrity walker after freeing everything: {integrity}");
        AssertLaws(pool, "after freeing everything and Trim");
    }

    private static ulong Offset(PoolAllocator pool, nint block) => (ulong)(block - pool.Base);
}
