using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;

namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>
/// One task's random malloc/calloc/realloc/free on a pool, every choice drawn from Coyote's <see cref="Generator"/>
/// (so a trace replays it). Every block is filled with its pattern; the pattern is checked before the block is freed
/// or resized, calloc's zeroing and realloc's copy are checked as they happen. Laws are checked with
/// <see cref="Specification.Assert(bool, string)"/>, whose failure Coyote reports as a bug.
/// </summary>
public sealed class PoolWorker
{
    private readonly PoolAllocator _pool;
    private readonly IBlockStore _store;
    private readonly Generator _random;
    private int _nextId;

    /// <summary>A worker for task <paramref name="index"/>, keeping its blocks in <paramref name="store"/>.</summary>
    public PoolWorker(PoolAllocator pool, int index, IBlockStore store)
    {
        _pool = pool;
        Index = index;
        _store = store;
        _random = Generator.Create();
        _nextId = (index + 1) << 16;
    }

    /// <summary>The task's index.</summary>
    public int Index { get; }

    /// <summary>Where the worker keeps its blocks.</summary>
    public IBlockStore Store => _store;

    /// <summary>malloc/calloc/realloc calls that returned NULL for lack of room (the pool counts them too).</summary>
    public long FailedAllocations { get; private set; }

    /// <summary>Blocks freed (or resized) by this task that another task allocated.</summary>
    public int ForeignBlocksHandled { get; private set; }

    /// <summary>Runs <paramref name="operations"/> random operations.</summary>
    public void Run(int operations)
    {
        for (int i = 0; i < operations; i++)
        {
            switch (_random.NextInteger(8))
            {
                case 0 or 1 or 2:
                    Malloc(RandomSize());
                    break;
                case 3:
                    Calloc((nuint)(1 + _random.NextInteger(8)), RandomSize() / 8 + 1);
                    break;
                case 4 or 5:
                    Realloc();
                    break;
                default:
                    Free();
                    break;
            }
        }
    }

    /// <summary>A request size: tiny, slab-sized, up to the largest slab class, or large.</summary>
    private nuint RandomSize() => _random.NextInteger(4) switch
    {
        0 => (nuint)_random.NextInteger(65),
        1 => (nuint)(65 + _random.NextInteger(448)),
        2 => (nuint)(513 + _random.NextInteger(1536)),
        _ => (nuint)(2049 + _random.NextInteger(6144)),
    };

    private void Malloc(nuint size)
    {
        nint block = _pool.Malloc(size);
        if (block == 0)
        {
            FailedAllocations++;
            return;
        }
        Keep(block, size, "malloc");
    }

    private void Calloc(nuint count, nuint size)
    {
        nint block = _pool.Calloc(count, size);
        if (block == 0)
        {
            FailedAllocations++;
            return;
        }
        long dirty = Patterns.FirstNonZero(block, count * size);
        Specification.Assert(dirty < 0,
            $"calloc({count}, {size}) returned a block at offset 0x{Offset(block):x} whose byte {dirty} is not zero");
        Keep(block, count * size, "calloc");
    }

    private void Realloc()
    {
        if (!_store.TryTake(_random, out LiveBlock old))
        {
            nuint fresh = RandomSize();
            nint allocated = _pool.Realloc(0, fresh);
            if (allocated == 0)
                FailedAllocations++;
            else
                Keep(allocated, fresh, "realloc(NULL)");
            return;
        }
        AssertIntact(old, "realloc");
        nuint size = _random.NextInteger(10) == 0 ? 0 : RandomSize();
        nint moved = _pool.Realloc(old.Address, size);
        Count(old);
        if (size == 0)
        {
            Specification.Assert(moved == 0, $"realloc(block, 0) returned 0x{Offset(moved):x}, expected NULL (the block is freed)");
            return;
        }
        if (moved == 0)
        {
            FailedAllocations++;
            AssertIntact(old, "a failed realloc");
            _store.Put(old);
            return;
        }
        nuint kept = Math.Min(old.Size, size);
        long damage = Patterns.FirstDamage(moved, kept, old.Id);
        Specification.Assert(damage < 0,
            $"realloc of block {old.Id} from {old.Size} to {size} bytes lost its contents at byte {damage} (now at offset 0x{Offset(moved):x})");
        Keep(moved, size, "realloc");
    }

    private void Free()
    {
        if (!_store.TryTake(_random, out LiveBlock block))
            return;
        AssertIntact(block, "free");
        BlockCheck check = _pool.Free(block.Address);
        Count(block);
        Specification.Assert(check == BlockCheck.Live,
            $"free of live block {block.Id} at offset 0x{Offset(block.Address):x} was refused: {check}");
    }

    private void Keep(nint block, nuint size, string operation)
    {
        Specification.Assert(block % 16 == 0, $"{operation}({size}) returned a block at offset 0x{Offset(block):x}, not 16-byte aligned");
        int id = _nextId++;
        Patterns.Fill(block, size, id);
        _store.Put(new LiveBlock(block, size, id, Index));
    }

    private void AssertIntact(LiveBlock block, string before)
    {
        long damage = Patterns.FirstDamage(block.Address, block.Size, block.Id);
        Specification.Assert(damage < 0,
            $"before {before}: block {block.Id} ({block.Size} bytes at offset 0x{Offset(block.Address):x}, allocated by task {block.Owner}) was overwritten at byte {damage}");
    }

    private void Count(LiveBlock block)
    {
        if (block.Owner != Index)
            ForeignBlocksHandled++;
    }

    private ulong Offset(nint block) => (ulong)(block - _pool.Base);
}
