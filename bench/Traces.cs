namespace AreaMalloc.Bench;

/// <summary>
/// A recorded sequence of malloc/free/realloc operations on numbered slots. Every allocator replays the same
/// trace; the random choices are made once, when the trace is built, never while it is timed. Each trace starts
/// and ends with nothing live, so it can be replayed any number of times.
/// </summary>
internal sealed class Trace
{
    public const byte Malloc = 0, Free = 1, Realloc = 2;

    public required string Name { get; init; }
    public required byte[] Kind { get; init; }
    public required int[] Slot { get; init; }
    public required uint[] Size { get; init; }
    public required int SlotCount { get; init; }
    public int Length => Kind.Length;

    /// <summary>
    /// Workload 2: 10,000 mixed small blocks (8 to 1024 bytes, uniform) allocated, then all freed in random order.
    /// </summary>
    public static Trace Batch(int blocks = 10_000, int seed = 2)
    {
        var rng = new Random(seed);
        var kind = new byte[2 * blocks];
        var slot = new int[2 * blocks];
        var size = new uint[2 * blocks];
        for (int i = 0; i < blocks; i++)
        {
            kind[i] = Malloc;
            slot[i] = i;
            size[i] = (uint)rng.Next(8, 1025);
        }
        int[] order = Enumerable.Range(0, blocks).ToArray();
        rng.Shuffle(order);
        for (int i = 0; i < blocks; i++)
        {
            kind[blocks + i] = Free;
            slot[blocks + i] = order[i];
        }
        return new Trace { Name = "batch", Kind = kind, Slot = slot, Size = size, SlotCount = blocks };
    }

    /// <summary>
    /// Workload 3: mixed sizes from 16 B to 64 KiB, Pareto-distributed (x_m = 16 B, alpha = 0.8, capped at 64 KiB:
    /// about 80% of requests are at most 128 B, 3.6% above 1 KiB, 0.4% above 16 KiB, like mimalloc-bench's
    /// alloc-test, where small sizes dominate the count and large ones the bytes), on 1,000 slots: a chosen empty
    /// slot is allocated; a chosen live slot is reallocated to a new size (30%) or freed (70%). Ends by freeing all.
    /// </summary>
    public static Trace Mixed(int steps = 20_000, int slots = 1_000, int seed = 3) =>
        Random("mixed", steps, slots, seed, reallocShare: 0.3, rng => ParetoSize(rng));

    /// <summary>Workload 4: large blocks, 64 KiB to 1 MiB (uniform, 16-byte steps), on 32 slots, malloc and free only.</summary>
    public static Trace Large(int steps = 2_000, int slots = 32, int seed = 4) =>
        Random("large", steps, slots, seed, reallocShare: 0, rng => (uint)rng.Next(64 << 10, (1 << 20) + 1) & ~15u);

    /// <summary>A Pareto size: 16 / u^(1/0.8), capped at 64 KiB.</summary>
    public static uint ParetoSize(Random rng)
    {
        double u = 1.0 - rng.NextDouble(); // (0, 1]
        double x = 16.0 * Math.Pow(u, -1.0 / 0.8);
        return (uint)Math.Min(x, 64 << 10);
    }

    private static Trace Random(string name, int steps, int slots, int seed, double reallocShare, Func<Random, uint> sizeOf)
    {
        var rng = new Random(seed);
        var live = new bool[slots];
        var kind = new List<byte>(steps + slots);
        var slot = new List<int>(steps + slots);
        var size = new List<uint>(steps + slots);
        for (int i = 0; i < steps; i++)
        {
            int s = rng.Next(slots);
            if (!live[s])
            {
                kind.Add(Malloc);
                size.Add(sizeOf(rng));
                live[s] = true;
            }
            else if (rng.NextDouble() < reallocShare)
            {
                kind.Add(Realloc);
                size.Add(sizeOf(rng));
            }
            else
            {
                kind.Add(Free);
                size.Add(0);
                live[s] = false;
            }
            slot.Add(s);
        }
        for (int s = 0; s < slots; s++)
        {
            if (!live[s])
                continue;
            kind.Add(Free);
            slot.Add(s);
            size.Add(0);
        }
        return new Trace { Name = name, Kind = kind.ToArray(), Slot = slot.ToArray(), Size = size.ToArray(), SlotCount = slots };
    }

    /// <summary>Replays the trace on <paramref name="a"/>, writing 8 bytes at the start of each new block.</summary>
    public static unsafe void Replay<T>(ref T a, Trace trace, nint[] slots) where T : struct, IAlloc
    {
        byte[] kinds = trace.Kind;
        int[] slotOf = trace.Slot;
        uint[] sizes = trace.Size;
        for (int i = 0; i < kinds.Length; i++)
        {
            int s = slotOf[i];
            switch (kinds[i])
            {
                case Malloc:
                    nint p = a.Malloc(sizes[i]);
                    *(long*)p = i;
                    slots[s] = p;
                    break;
                case Free:
                    a.Free(slots[s]);
                    slots[s] = 0;
                    break;
                default:
                    nint r = a.Realloc(slots[s], sizes[i]);
                    *(long*)r = i;
                    slots[s] = r;
                    break;
            }
        }
    }
}
