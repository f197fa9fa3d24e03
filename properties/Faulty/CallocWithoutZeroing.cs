using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: calloc does not clear reused memory. It still refuses an overflowing product exactly as the
/// correct pool does (and counts it), then serves the request as malloc would: fresh pages happen to be
/// zero, so only memory that was used before gives it away.
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed class CallocWithoutZeroing(IPoolUnderTest inner) : PoolDecorator(inner)
{
    /// <inheritdoc />
    public override nint Calloc(nuint count, nuint size) =>
        size != 0 && count > nuint.MaxValue / size ? Inner.Calloc(count, size) : Inner.Malloc(count * size);
}
