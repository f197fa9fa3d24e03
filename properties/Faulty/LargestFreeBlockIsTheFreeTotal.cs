using AreaMalloc.Pool;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: once the heap is split, <c>LargestFreeBlock</c> reports all free bytes (less one header) instead of the
/// largest free block. A fresh or emptied pool reports the right figure; memory and every other figure stay correct.
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed class LargestFreeBlockIsTheFreeTotal(IPoolUnderTest inner) : PoolDecorator(inner)
{
    /// <inheritdoc />
    public override PoolStatistics Statistics()
    {
        PoolStatistics s = Inner.Statistics();
        return s with { LargestFreeBlock = s.LargeFreeBytes - 16 };
    }
}
