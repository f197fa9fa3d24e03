using AreaMalloc.Models;
using Xunit;

namespace AreaMalloc.Properties.ModelChecks;

/// <summary>The model's clever parts (prefix chains, O(log n) overlap lookup) against brute force.</summary>
public sealed class ModelDifferentialTests
{
    private const ulong Base = 0x10_0000;
    private const ulong PoolSize = 1 << 20;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Expected_bytes_match_an_explicit_simulation_of_realloc_chains(int seed)
    {
        var random = new Random(seed);
        var model = new AllocatorModel(new ModelParameters(4096));
        model.Step(new CreatePool(0, PoolSize, 0, 3), Observation.Pool(1, new PoolGeometry(Base, PoolSize, PoolSize / 2)));
        var p = PoolRef.Of(1);
        BlockRecord block = model.Step(new Calloc(p, 1, 40), Observation.Block(Base, 48)).NewBlock!;
        byte[] memory = new byte[40];
        for (int step = 0; step < 400; step++)
        {
            ulong n = (ulong)random.Next(1, 300);
            ulong at = Base + (ulong)(step % 2 == 0 ? 0x1000 : 0x2000);
            BlockRecord next = model.Step(new Realloc(p, BlockRef.Of(block.Id), n), Observation.Block(at, (n + 15) / 16 * 16)).NewBlock!;
            // What a correct allocator plus the test driver would leave in memory: old prefix, then the driver's pattern.
            byte[] grown = new byte[n];
            int kept = (int)Math.Min((ulong)memory.Length, n);
            memory.AsSpan(0, kept).CopyTo(grown);
            for (int i = kept; i < (int)n; i++)
            {
                grown[i] = ContentRules.PatternByte(next.Id, (ulong)i);
            }

            memory = grown;
            block = next;
            Assert.Equal((ulong)kept, block.Contents.DefinedAtBirth);
            Assert.Equal(memory, ContentRules.ExpectedBytes(block));
            int from = random.Next(0, memory.Length);
            int length = random.Next(0, memory.Length - from + 1);
            var window = new byte[length];
            ContentRules.CopyExpected(block.Contents, (ulong)from, window);
            Assert.Equal(memory.AsSpan(from, length).ToArray(), window);
            Assert.Equal(memory[from], ContentRules.ExpectedByte(block.Contents, (ulong)from));
            Assert.True(ContentRules.CheckBytes(block, memory).IsAllowed);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Overlap_verdicts_match_brute_force(int seed)
    {
        var random = new Random(seed);
        var model = new AllocatorModel(new ModelParameters(4096));
        model.Step(new CreatePool(0, PoolSize, 0, 3), Observation.Pool(1, new PoolGeometry(Base, PoolSize, PoolSize / 2)));
        var p = PoolRef.Of(1);
        var live = new List<(ulong Start, ulong End, int Id)>();
        for (int step = 0; step < 3000; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                var victim = live[random.Next(live.Count)];
                Assert.True(model.Step(new Free(p, BlockRef.Of(victim.Id)), Observation.Null).IsAllowed);
                live.Remove(victim);
                continue;
            }

            ulong start = Base + (ulong)random.Next(0, 4096) * 16;
            ulong usable = (ulong)random.Next(1, 8) * 16;
            if (live.Count > 0 && random.Next(3) == 0)
            {
                // realloc may land on (part of) the block it releases, never on another live one.
                var old = live[random.Next(live.Count)];
                bool clash = live.Exists(b => b.Id != old.Id && b.Start < start + usable && start < b.End);
                Verdict moved = model.Step(new Realloc(p, BlockRef.Of(old.Id), usable), Observation.Block(start, usable));
                Assert.Equal(!clash, moved.IsAllowed);
                if (moved.IsAllowed)
                {
                    live.Remove(old);
                    live.Add((start, start + usable, moved.NewBlock!.Id));
                }

                continue;
            }

            bool overlaps = live.Exists(b => b.Start < start + usable && start < b.End);
            Verdict v = model.Step(new Malloc(p, usable), Observation.Block(start, usable));
            Assert.Equal(!overlaps, v.IsAllowed);
            if (v.IsAllowed)
            {
                live.Add((start, start + usable, v.NewBlock!.Id));
            }
        }

        Assert.Equal(live.Count, model.LiveBlocks.Count);
        Assert.Equal((ulong)live.Sum(b => (long)(b.End - b.Start)), model.Statistics(p)!.Value.BytesInUse);
    }
}
