using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AreaMalloc.Areas;
using AreaMalloc.Pool;
using Xunit.Abstractions;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Audit;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.TestKit.Waiting;

namespace AreaMalloc.Properties.Soak;

/// <summary>
/// The soak: two real threads share one pool and a table of slots; each step takes a random slot (under the slot's
/// lock) and either allocates into it (malloc or calloc, the block filled with a pattern derived from its identity)
/// or checks the pattern of the block there and then reallocs it (the kept prefix checked) or frees it, so about
/// half the frees are cross-thread. Every <see cref="OpsPerPause"/> operations both threads pause at a barrier and
/// the integrity walker runs, with the live-block count held to the slot table. 10^7 operations at the certification
/// budget, 10^5 at CI (a couple of seconds). CI excludes Category=Soak from its coverage gate.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    /// <summary>Operations at the CI budget (x100 at certification: 10^7).</summary>
    public const int CiOperations = 100_000;

    /// <summary>Operations between two integrity walks (both threads together).</summary>
    public const int OpsPerPause = 100_000;

    private const int Threads = 2;
    private const int Slots = 4096;

    [Fact]
    [Trait("Category", "Soak")]
    public unsafe void Two_threads_sharing_a_pool_keep_every_block_intact()
    {
        long total = Budget.Current.Scale(CiOperations);
        var areas = new AreaRegistry(new LinuxAreaBackend());
        PoolAllocator pool = PoolAllocator.Create(areas, B_ANY_ADDRESS, 64 << 20, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status)
            ?? throw new InvalidOperationException("create_pool failed: " + status);
        var slots = new Slot?[Slots];
        var gates = Enumerable.Range(0, Slots).Select(_ => new object()).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long nextId = 0, crossFrees = 0, failedAllocations = 0, walks = 0, maxLive = 0;
        long phases = (total + OpsPerPause - 1) / OpsPerPause;
        PoolStatistics? audited = null;
        using var barrier = new Barrier(Threads, _ =>
        {
            // Both threads are paused here: the walk and the slot count see one consistent pool.
            walks++;
            IntegrityReport report = pool.CheckIntegrity();
            if (!report.IsValid)
            {
                failures.Enqueue("integrity walk " + walks + ": " + report);
            }

            long occupied = slots.Count(s => s is not null);
            maxLive = Math.Max(maxLive, occupied);
            if (pool.GetStatistics().LiveBlocks != occupied)
            {
                failures.Enqueue($"walk {walks}: the pool counts {pool.GetStatistics().LiveBlocks} live blocks, the slots {occupied}");
            }

            // Every reported figure against the walker's recount, its bounds and the last pause's snapshot.
            string? laws = StatisticsAudit.Describe(pool, audited, out PoolStatistics now);
            audited = now;
            if (laws is not null)
            {
                failures.Enqueue($"walk {walks}: {laws}");
            }

            Progress.Report("soak operations", Math.Min(walks * OpsPerPause, total), total);
        });
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var rng = new Random(8000 + t);
            for (long phase = 0; phase < phases; phase++)
            {
                long steps = Math.Min(OpsPerPause, total - (phase * OpsPerPause)) / Threads;
                for (long i = 0; i < steps && failures.IsEmpty; i++)
                {
                    Step(pool, rng, t, slots, gates, failures, ref nextId, ref crossFrees, ref failedAllocations);
                }

                Bounded.SignalAndWait(barrier, "the soak's pause for the integrity walk", Bounded.LockOf(pool));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        Bounded.JoinAll(workers, "the soak threads", Bounded.LockOf(pool));
        clock.Stop();
        Assert.Empty(failures);

        foreach (Slot? s in slots)
        {
            if (s is not null)
            {
                Assert.Null(Damage(s));
                Assert.Equal(BlockCheck.Live, pool.Free(s.Block));
            }
        }

        pool.Trim();
        PoolStatistics end = pool.GetStatistics();
        Assert.True(pool.CheckIntegrity().IsValid);
        Assert.Equal(0, end.LiveBlocks);
        Assert.Equal(pool.MaxSingleRequest, end.LargestFreeBlock);
        Assert.Null(StatisticsAudit.Describe(pool, audited, out _));
        Assert.Equal(Interlocked.Read(ref failedAllocations), end.FailedAllocations);
        Assert.Equal(0, end.RefusedFrees);
        Assert.Equal(B_OK, pool.Delete());
        Assert.Equal(0, areas.Count);

        Line($"certify: soak budget={total} operations ({Budget.Current.Name}), {Threads} threads, one 64 MiB pool, {Slots} slots");
        Line($"certify: soak operations={total}");
        Line($"certify: soak seconds={clock.Elapsed.TotalSeconds:0.00}");
        Line($"certify: soak ops/s={total / clock.Elapsed.TotalSeconds:0}");
        Line($"certify: soak integrity walks={walks}");
        Line($"certify: soak max live blocks={maxLive}");
        Line($"certify: soak cross-thread frees and reallocs={crossFrees}");
        Line($"certify: soak failed allocations={failedAllocations}");
        Line($"certify: soak peak used heap bytes={end.PeakLargeUsedBytes}");
    }

    private sealed record Slot(nint Block, int Length, long Id, int Owner);

    private static void Step(PoolAllocator pool, Random rng, int thread, Slot?[] slots, object[] gates,
        System.Collections.Concurrent.ConcurrentQueue<string> failures, ref long nextId, ref long crossFrees, ref long failedAllocations)
    {
        int i = rng.Next(Slots);
        lock (gates[i])
        {
            if (slots[i] is Slot old)
            {
                if (Damage(old) is string damage)
                {
                    failures.Enqueue(damage);
                    return;
                }

                if (old.Owner != thread)
                {
                    Interlocked.Increment(ref crossFrees);
                }

                if (rng.Next(4) == 0)
                {
                    int size = Size(rng);
                    nint moved = pool.Realloc(old.Block, (nuint)size);
                    if (moved == 0)
                    {
                        if (size == 0)
                        {
                            slots[i] = null;
                        }
                        else
                        {
                            Interlocked.Increment(ref failedAllocations);
                        }

                        return;
                    }

                    var kept = new Slot(moved, Math.Min(old.Length, size), old.Id, old.Owner);
                    if (Damage(kept) is string lost)
                    {
                        failures.Enqueue("after realloc: " + lost);
                        return;
                    }

                    slots[i] = Fill(moved, size, Interlocked.Increment(ref nextId), thread);
                    return;
                }

                if (pool.Free(old.Block) != BlockCheck.Live)
                {
                    failures.Enqueue($"free of live block #{old.Id} refused");
                }

                slots[i] = null;
                return;
            }

            int n = Size(rng);
            bool zeroed = rng.Next(4) == 0;
            nint block = zeroed ? pool.Calloc(1, (nuint)n) : pool.Malloc((nuint)n);
            if (block == 0)
            {
                Interlocked.Increment(ref failedAllocations);
                return;
            }

            if (zeroed && !IsZero(block, n))
            {
                failures.Enqueue($"calloc({n}) returned memory that is not zero");
                return;
            }

            slots[i] = Fill(block, n, Interlocked.Increment(ref nextId), thread);
        }
    }

    /// <summary>Mostly slab sizes; one in sixteen a large block up to 64 KiB.</summary>
    private static int Size(Random rng) => rng.Next(16) == 0 ? rng.Next(1025, 65_536) : rng.Next(0, 1025);

    private static ulong Word(long id, int index) => ((ulong)id * 0x9E37_79B9_7F4A_7C15UL) ^ ((ulong)index * 0xD6E8_FEB8_6659_FD93UL);

    /// <summary>The pattern is a stream of words, so any prefix of a block (a shrinking realloc) checks against the same pattern.</summary>
    private static byte TailByte(long id, int length, int b) => (byte)(Word(id, length / 8) >> (8 * b));

    private static unsafe Slot Fill(nint block, int length, long id, int owner)
    {
        var words = new Span<ulong>((void*)block, length / 8);
        for (int w = 0; w < words.Length; w++)
        {
            words[w] = Word(id, w);
        }

        var tail = new Span<byte>((void*)(block + (length & ~7)), length & 7);
        for (int b = 0; b < tail.Length; b++)
        {
            tail[b] = TailByte(id, length, b);
        }

        return new Slot(block, length, id, owner);
    }

    private static unsafe string? Damage(Slot s)
    {
        var words = new ReadOnlySpan<ulong>((void*)s.Block, s.Length / 8);
        for (int w = 0; w < words.Length; w++)
        {
            if (words[w] != Word(s.Id, w))
            {
                return string.Create(CultureInfo.InvariantCulture, $"block #{s.Id} at 0x{s.Block:x} ({s.Length} bytes): word {w} is 0x{words[w]:x16}, expected 0x{Word(s.Id, w):x16}");
            }
        }

        var tail = new ReadOnlySpan<byte>((void*)(s.Block + (s.Length & ~7)), s.Length & 7);
        for (int b = 0; b < tail.Length; b++)
        {
            if (tail[b] != TailByte(s.Id, s.Length, b))
            {
                return string.Create(CultureInfo.InvariantCulture, $"block #{s.Id} at 0x{s.Block:x}: tail byte {b} damaged");
            }
        }

        return null;
    }

    private static unsafe bool IsZero(nint block, int length) => !new ReadOnlySpan<byte>((void*)block, length).ContainsAnyExcept((byte)0);

    private void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
}
