using AreaMalloc.Pool;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: a realloc of a live block that returns NULL for lack of memory is not counted in <c>FailedAllocations</c>.
/// Every other figure and all memory stay correct.
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed class FailedReallocUncounted(IPoolUnderTest inner) : PoolDecorator(inner)
{
    private long uncounted;

    /// <inheritdoc />
    public override nint Realloc(nint block, nuint size)
    {
        bool live = block != 0 && Inner.UsableSize(block) is not null;
        nint result = Inner.Realloc(block, size);
        if (live && size != 0 && result == 0)
        {
            uncounted++;
        }

        return result;
    }

    /// <inheritdoc />
    public override PoolStatistics Statistics()
    {
        PoolStatistics s = Inner.Statistics();
        return s with { FailedAllocations = s.FailedAllocations - uncounted };
    }
}
