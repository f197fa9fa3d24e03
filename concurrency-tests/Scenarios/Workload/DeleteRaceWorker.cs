using AreaMalloc.ConcurrencyTests.Backends;
using AreaMalloc.Pool;
using Microsoft.Coyote.Random;
using Microsoft.Coyote.Specifications;
using AreaMalloc.BeModule;

namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>
/// One task of the delete race: random malloc/calloc/realloc/free on one pool through the module, never writing into
/// the blocks (so that every write into the deleted area is the allocator's). After each call it checks that nothing
/// wrote into an unmapped (quarantined) area and that a call started after the delete handed out no block inside one;
/// for a pool with <see cref="PoolBehavior.SafeDeletion"/> it also checks that such a call returned NULL.
/// </summary>
public sealed unsafe class DeleteRaceWorker
{
    private readonly AreaMallocModule _module;
    private readonly void* _poolId;
    private readonly PoolAllocator _pool;
    private readonly QuarantiningAreaBackend _backend;
    private readonly Generator _random;
    private readonly List<nint> _blocks = [];

    /// <summary>A worker for task <paramref name="index"/> on the pool <paramref name="poolId"/> names.</summary>
    public DeleteRaceWorker(AreaMallocModule module, nint poolId, PoolAllocator pool, QuarantiningAreaBackend backend, int index)
    {
        _module = module;
        _poolId = (void*)poolId;
        _pool = pool;
        _backend = backend;
        Index = index;
        _random = Generator.Create();
    }

    /// <summary>The task's index.</summary>
    public int Index { get; }

    /// <summary>Runs <paramref name="operations"/> random calls.</summary>
    public void Run(int operations)
    {
        for (int i = 0; i < operations; i++)
        {
            bool deletedBefore = _pool.IsDeleted;
            switch (_blocks.Count == 0 ? _random.NextInteger(2) : _random.NextInteger(4))
            {
                case 0:
                    Handed("malloc", (nint)_module.Malloc(_poolId, RandomSize()), deletedBefore);
                    break;
                case 1:
                    Handed("calloc", (nint)_module.Calloc(_poolId, 2, RandomSize()), deletedBefore);
                    break;
                case 2:
                    nint old = Take();
                    nint moved = (nint)_module.Realloc(_poolId, (void*)old, RandomSize());
                    if (moved == 0)
                        _blocks.Add(old); // refused or failed: the old block is still the caller's
                    Handed("realloc", moved, deletedBefore);
                    break;
                default:
                    _module.Free(_poolId, (void*)Take());
                    AssertNoUseAfterDelete(_backend, $"task {Index}'s free", 0, deletedBefore);
                    break;
            }
        }
    }

    private nuint RandomSize() => _random.NextBoolean() ? (nuint)(1 + _random.NextInteger(256)) : (nuint)(2049 + _random.NextInteger(4096));

    private nint Take()
    {
        int index = _random.NextInteger(_blocks.Count);
        nint block = _blocks[index];
        _blocks.RemoveAt(index);
        return block;
    }

    private void Handed(string operation, nint block, bool deletedBefore)
    {
        AssertNoUseAfterDelete(_backend, $"task {Index}'s {operation}", block, deletedBefore);
        Specification.Assert(block == 0 || !deletedBefore || _pool.Behavior != PoolBehavior.SafeDeletion,
            $"{operation} on a pool deleted before the call returned a block instead of NULL");
        if (block != 0)
            _blocks.Add(block);
    }

    /// <summary>
    /// The check made after every call of a delete race: no byte of an unmapped area was written since its unmap (the
    /// allocator ran on the deleted pool; the tasks themselves never write), and a call that started after the unmap
    /// did not hand out a block inside it. Both reports start with <see cref="DeleteRaceScenario.ViolationPrefix"/>.
    /// </summary>
    /// <param name="backend">The quarantining backend the pool's area came from.</param>
    /// <param name="call">Which call just returned, for the report.</param>
    /// <param name="block">The block the call returned, or 0.</param>
    /// <param name="deletedBefore">True when the pool was already deleted when the call started.</param>
    public static void AssertNoUseAfterDelete(QuarantiningAreaBackend backend, string call, nint block, bool deletedBefore)
    {
        IReadOnlyList<string> writes = backend.FindWritesAfterUnmap();
        Specification.Assert(writes.Count == 0, $"{DeleteRaceScenario.ViolationPrefix} {string.Join("; ", writes)} (seen when {call} returned)");
        QuarantinedRange? deleted = deletedBefore && block != 0 ? backend.FindQuarantined(block) : null;
        Specification.Assert(deleted is null,
            $"{DeleteRaceScenario.ViolationPrefix} {call}, started after the delete, handed out a block at offset 0x{(deleted is null ? 0 : (ulong)(block - deleted.Address)):x} of the deleted pool's area");
    }
}
