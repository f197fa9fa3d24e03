using Microsoft.Coyote.Random;

namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>Where a <see cref="PoolWorker"/> keeps the blocks it may free or resize later.</summary>
public interface IBlockStore
{
    /// <summary>Keeps <paramref name="block"/>.</summary>
    void Put(LiveBlock block);

    /// <summary>Takes a block chosen by <paramref name="random"/>; false when there is none.</summary>
    bool TryTake(Generator random, out LiveBlock block);

    /// <summary>Takes every block left.</summary>
    IReadOnlyList<LiveBlock> TakeAll();
}

/// <summary>One task's own blocks (no lock: only its task touches it).</summary>
public sealed class PrivateBlockStore : IBlockStore
{
    private readonly List<LiveBlock> _blocks = [];

    /// <inheritdoc />
    public void Put(LiveBlock block) => _blocks.Add(block);

    /// <inheritdoc />
    public bool TryTake(Generator random, out LiveBlock block) => BlockLists.TryTake(_blocks, random, out block);

    /// <inheritdoc />
    public IReadOnlyList<LiveBlock> TakeAll() => BlockLists.TakeAll(_blocks);
}

/// <summary>Blocks shared by every task, so that one task frees or resizes what another allocated (an <c>object</c> lock).</summary>
public sealed class SharedBlockStore : IBlockStore
{
    private readonly object _gate = new();
    private readonly List<LiveBlock> _blocks = [];

    /// <inheritdoc />
    public void Put(LiveBlock block)
    {
        lock (_gate)
            _blocks.Add(block);
    }

    /// <inheritdoc />
    public bool TryTake(Generator random, out LiveBlock block)
    {
        lock (_gate)
            return BlockLists.TryTake(_blocks, random, out block);
    }

    /// <inheritdoc />
    public IReadOnlyList<LiveBlock> TakeAll()
    {
        lock (_gate)
            return BlockLists.TakeAll(_blocks);
    }
}

internal static class BlockLists
{
    public static bool TryTake(List<LiveBlock> blocks, Generator random, out LiveBlock block)
    {
        if (blocks.Count == 0)
        {
            block = default;
            return false;
        }
        int index = random.NextInteger(blocks.Count);
        block = blocks[index];
        blocks[index] = blocks[^1];
        blocks.RemoveAt(blocks.Count - 1);
        return true;
    }

    public static IReadOnlyList<LiveBlock> TakeAll(List<LiveBlock> blocks)
    {
        LiveBlock[] all = blocks.ToArray();
        blocks.Clear();
        return all;
    }
}
