using AreaMalloc.Models;
using AreaMalloc.Pool;
using AreaMalloc.TestKit.Audit;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using ModelStats = AreaMalloc.Models.PoolStatistics;
using Stats = AreaMalloc.Pool.PoolStatistics;

namespace AreaMalloc.TestKit.ModelBased;

/// <summary>What is checked after every command, beyond the model's verdict on the return value.</summary>
public sealed partial class SequenceDriver
{
    /// <summary>The three kinds of misuse, by what they must leave unchanged.</summary>
    private enum Misuse
    {
        /// <summary>free/realloc of a pointer that is not a live block of the pool: refused, RefusedFrees + 1, nothing else.</summary>
        Pointer,

        /// <summary>A call on a pool that is not live, or an invalid create_pool: no live pool changes at all.</summary>
        Pool,

        /// <summary>A request that can never fit: NULL, FailedAllocations + 1; nothing else unless spare slabs were released trying.</summary>
        Allocation,
    }

    /// <summary>Real and model statistics of every live pool before a misuse.</summary>
    private sealed record MisuseSnapshot(Dictionary<int, Stats> Real, Dictionary<int, ModelStats> Model, int Blocks, int Pools);

    private static Misuse? MisuseKind(Command c) => c switch
    {
        DoubleFreeCommand or InteriorFreeCommand or ForeignFreeCommand or FreedPointerToReallocCommand => Misuse.Pointer,
        DeletedPoolCallCommand or InvalidCreatePoolCommand => Misuse.Pool,
        CallocOverflowCommand or ImpossibleSizeCommand => Misuse.Allocation,
        _ => null,
    };

    /// <summary>
    /// Whether the command is still misuse when it runs, judged on the concrete call: a freed block's address
    /// may have been handed out again, and after the last put_module a new module numbers its pools afresh, so
    /// a "deleted" pool's id may name a live pool. Such calls are legal; the model judges them as such, and
    /// they may change the pool (a legal realloc that runs out of memory counts a failed allocation).
    /// </summary>
    private bool IsMisuseNow(Command command, ApiCall call) => MisuseKind(command) switch
    {
        null => false,
        Misuse.Pointer => model.LivePool(call.Pool) is PoolState p && call.Address != 0 && !p.LiveBlocks.ContainsKey(call.Address),
        Misuse.Pool => command is InvalidCreatePoolCommand || model.LivePool(call.Pool) is null,
        _ => true,
    };

    /// <summary>A new pool must start pristine: nothing used, one free block of exactly MaxSingleRequest.</summary>
    private string? AdoptPool(Command command, PoolState pool)
    {
        if (command.Defines.Pool != 0)
        {
            pools[command.Defines.Pool] = PoolRef.Of(pool.Number);
        }

        IPoolUnderTest real = Open(PoolRef.Of(pool.Number));
        Stats s = real.Statistics();
        pristine[pool.Number] = s;
        audited.Remove(pool.Number);
        bool fresh = s.LiveBlocks == 0 && s.BytesInUse == 0 && s.LargeUsedBytes == 0 && s.SlabCount == 0 && s.SpareSlabs == 0
            && s.LargestFreeBlock == real.MaxSingleRequest && s.RefusedFrees == 0 && s.FailedAllocations == 0;
        return fresh ? null : Invariant($"the new {pool} is not pristine: {s}");
    }

    /// <summary>
    /// A new block: it must lie in the pool's heap (never over its metadata); the bytes it must hold at birth
    /// (calloc zeros, the realloc prefix) are checked, then the test writes its pattern into the rest.
    /// </summary>
    private unsafe string? AdoptBlock(BlockRecord block)
    {
        PoolGeometry g = model.Pool(block.PoolNumber).Geometry;
        PoolLayout layout = PoolLayout.For(g.Size) ?? throw new InvalidOperationException("a live pool has no layout");
        if (block.Address < g.Base + layout.HeapStart || block.End > g.Base + layout.HeapEnd)
        {
            return Invariant($"{block.Describe()} is not inside the pool's heap [0x{g.Base + layout.HeapStart:x}, 0x{g.Base + layout.HeapEnd:x}): it overlaps the pool's metadata");
        }

        // The caller may use every usable byte: the slack past the request gets a pattern of its own, so that
        // metadata the allocator keeps inside a block's usable size would show up as damage.
        var bytes = new byte[block.Usable];
        ContentRules.CopyExpected(block.Contents, 0, bytes.AsSpan(0, (int)block.Requested));
        bytes.AsSpan((int)block.Requested).Fill(SlackByte(block));
        int born = (int)block.Contents.DefinedAtBirth;
        var memory = new Span<byte>((void*)block.Address, bytes.Length);
        if (!memory[..born].SequenceEqual(bytes.AsSpan(0, born)))
        {
            return "at birth " + ContentRules.CheckBytes(block, memory[..born]).Message;
        }

        bytes.AsSpan(born).CopyTo(memory[born..]);
        expected[block.Id] = bytes;
        return null;
    }

    /// <summary>The byte the test writes past a block's requested size, up to its usable size.</summary>
    private static byte SlackByte(BlockRecord block) => unchecked((byte)(0x5A ^ block.Id));

    /// <summary>What is wrong with a live block's memory (all of its usable size), or null.</summary>
    private static string? Damage(BlockRecord block, ReadOnlySpan<byte> memory, byte[] bytes)
    {
        int at = memory.CommonPrefixLength(bytes);
        if (at == bytes.Length)
        {
            return null;
        }

        return (ulong)at < block.Requested
            ? ContentRules.CheckBytes(block, memory[..(int)block.Requested]).Message
            : Invariant($"{block.Describe()}: byte {at}, past the {block.Requested} requested but within the usable size, is 0x{memory[at]:x2}, expected 0x{bytes[at]:x2} (the caller may use every usable byte)");
    }

    /// <summary>For every live pool: statistics, integrity, pristine when empty, and every live block's bytes.</summary>
    private unsafe string? CheckInvariants()
    {
        int live = 0;
        foreach (PoolState pool in model.Pools)
        {
            if (!pool.IsLive)
            {
                continue;
            }

            IPoolUnderTest real = Open(PoolRef.Of(pool.Number));
            Stats s = real.Statistics();
            Verdict stats = model.CheckStatistics(PoolRef.Of(pool.Number), new ModelStats(s.LiveBlocks, s.BytesInUse, s.RefusedFrees, s.FailedAllocations));
            if (!stats.IsAllowed)
            {
                return stats.Message;
            }

            IntegrityReport report = real.CheckIntegrity();
            if (!report.IsValid)
            {
                return Invariant($"{pool}: the integrity walker failed: {report}");
            }

            // Every other figure: the walker's recount, the bounds, and the history since the last command.
            string? laws = StatisticsAudit.Describe(s, report, audited.GetValueOrDefault(pool.Number));
            if (s.AreaSize != real.AreaSize)
            {
                laws = Invariant($"AreaSize expected {real.AreaSize} (the pool's area), actual {s.AreaSize}; {laws}");
            }

            if (laws is not null)
            {
                return Invariant($"{pool}: a reported figure breaks its law: {laws}");
            }

            audited[pool.Number] = s;
            counters.Count("statistics audited against the walker's recount");

            if (pool.LiveBlocks.Count == 0 && s.SpareSlabs == 0)
            {
                counters.Count("empty pool checked pristine");
                string? diff = StatisticsDiff.Describe(pristine[pool.Number], s, StatisticsDiff.HistoryFields);
                if (diff is not null)
                {
                    return Invariant($"{pool} has no live block and no spare slab, so it must be as pristine as when it was created, but: {diff}");
                }
            }

            foreach (BlockRecord block in pool.LiveBlocks.Values)
            {
                live++;
                byte[] bytes = expected[block.Id];
                var memory = new ReadOnlySpan<byte>((void*)block.Address, bytes.Length);
                if (!memory.SequenceEqual(bytes))
                {
                    return "a live block was damaged: " + Damage(block, memory, bytes);
                }

                foreach (nint alias in real.Aliases)
                {
                    counters.Count("live block read through a clone of its pool's area");
                    var through = new ReadOnlySpan<byte>((void*)((ulong)alias + (block.Address - (ulong)real.Base)), bytes.Length);
                    if (!through.SequenceEqual(bytes))
                    {
                        return Invariant($"a live block reads differently through the clone of its pool's area at 0x{alias:x}: ") + Damage(block, through, bytes);
                    }
                }
            }
        }

        if (expected.Count > live + 64)
        {
            foreach (int id in expected.Keys.Where(id => !model.IsLive(model.Block(id))).ToList())
            {
                expected.Remove(id);
            }
        }

        return null;
    }

    private MisuseSnapshot TakeSnapshot()
    {
        var real = new Dictionary<int, Stats>();
        var predicted = new Dictionary<int, ModelStats>();
        foreach (PoolState pool in model.Pools.Where(p => p.IsLive))
        {
            real[pool.Number] = Open(PoolRef.Of(pool.Number)).Statistics();
            predicted[pool.Number] = pool.Statistics;
        }

        return new MisuseSnapshot(real, predicted, model.Blocks.Count, model.Pools.Count);
    }

    /// <summary>After a misuse the model judged as refused, the implementation must not have changed anything else.</summary>
    /// <remarks>Which pool counted a refusal is the model's call: a "deleted" pool whose id was reused is live again.</remarks>
    private string? CheckMisuseChangedNothing(Command command, MisuseSnapshot before)
    {
        Misuse kind = MisuseKind(command)!.Value;
        if (model.Blocks.Count != before.Blocks || model.Pools.Count != before.Pools)
        {
            return null; // the call was legal after all (an address or handle was reused): judged as such by the model
        }

        foreach ((int number, Stats was) in before.Real)
        {
            PoolState pool = model.Pool(number);
            if (!pool.IsLive)
            {
                return null; // legal after all: a reused handle deleted a live pool
            }

            ModelStats wasPredicted = before.Model[number];
            Stats now = Open(PoolRef.Of(number)).Statistics();
            bool refusedHere = pool.Statistics == wasPredicted with { RefusedFrees = wasPredicted.RefusedFrees + 1 };
            bool failedHere = pool.Statistics == wasPredicted with { FailedAllocations = wasPredicted.FailedAllocations + 1 };
            if (pool.Statistics != wasPredicted && !refusedHere && !failedHere)
            {
                return null; // legal after all (the model applied it): nothing to compare
            }

            // A refused pointer is counted; so is a refused request, in the pool that refused it; nothing else moves,
            // except that a pool short of memory may release its spare slabs before it refuses a request.
            bool requestRefusedHere = kind == Misuse.Allocation && PoolOf(command) == number;
            Stats expect = was with
            {
                RefusedFrees = was.RefusedFrees + (refusedHere ? 1 : 0),
                FailedAllocations = was.FailedAllocations + (requestRefusedHere ? 1 : 0),
            };
            string? diff = requestRefusedHere && was.SpareSlabs != 0
                ? StatisticsDiff.Describe(expect, now, StatisticsDiff.SlabFields)
                : StatisticsDiff.Describe(expect, now);
            if (diff is not null)
            {
                return Invariant($"misuse must leave {pool} unchanged (except counting the refusal), but: {diff}");
            }
        }

        counters.Count(Invariant($"{kind} misuse refused, nothing else changed"));
        return null;
    }

    /// <summary>The model number of the pool a command names, or 0.</summary>
    private int PoolOf(Command command)
    {
        int sym = command switch
        {
            CallocOverflowCommand c => c.Pool,
            ImpossibleSizeCommand s => s.Pool,
            _ => 0,
        };
        return sym != 0 && pools.TryGetValue(sym, out PoolRef p) ? p.Number : 0;
    }
}
