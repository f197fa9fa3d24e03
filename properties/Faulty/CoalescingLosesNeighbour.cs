using AreaMalloc.Pool;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using AreaMalloc.Slabs;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: when a freed block is merged with a free neighbour, the neighbour's bytes are lost: neither free
/// nor in use, so the pool's capacity shrinks while its statistics say nothing is used.
/// Simulated from outside the correct pool: a free of a large block that merged (the integrity walker's count
/// of free blocks did not grow by one) is followed by a hidden allocation of the freed block's size that nobody owns and
/// the reported statistics leave out. The walker, which sees a consistent heap, still passes; what gives the
/// fault away is the capacity guarantee (an empty pool must satisfy MaxSingleRequest) and pristine statistics.
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed class CoalescingLosesNeighbour(IPoolUnderTest inner) : PoolDecorator(inner)
{
    private readonly List<(nint Block, ulong Usable)> lost = [];

    /// <inheritdoc />
    public override void Free(nint block)
    {
        ulong? usable = Inner.UsableSize(block);
        int freeBlocksBefore = Inner.CheckIntegrity().FreeBlocks;
        Inner.Free(block);
        if (usable is ulong size && size > SizeClasses.MaxSmallSize && Inner.CheckIntegrity().FreeBlocks <= freeBlocksBefore)
        {
            nint hidden = Inner.Malloc((nuint)size);
            if (hidden != 0)
            {
                lost.Add((hidden, Inner.UsableSize(hidden) ?? 0));
            }
        }
    }

    /// <inheritdoc />
    public override PoolStatistics Statistics()
    {
        PoolStatistics s = Inner.Statistics();
        return s with
        {
            LiveBlocks = s.LiveBlocks - lost.Count,
            BytesInUse = s.BytesInUse - (ulong)lost.Sum(l => (long)l.Usable),
        };
    }
}
