using AreaMalloc.Pool;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: the live-block count is off by one after a realloc that moves a block (the old block's release
/// is not counted). Everything else, memory included, stays correct.
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed class StatisticsOffByOne(IPoolUnderTest inner) : PoolDecorator(inner)
{
    private long uncounted;

    /// <inheritdoc />
    public override nint Realloc(nint block, nuint size)
    {
        nint result = Inner.Realloc(block, size);
        if (block != 0 && result != 0 && result != block)
        {
            uncounted++;
        }

        return result;
    }

    /// <inheritdoc />
    public override PoolStatistics Statistics()
    {
        PoolStatistics s = Inner.Statistics();
        return s with { LiveBlocks = s.LiveBlocks + uncounted };
    }
}
