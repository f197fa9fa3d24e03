using AreaMalloc.Pool;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: a freed block goes onto the free list twice, so it is handed out twice. Simulated: the last
/// block freed is remembered; once the correct pool hands that address out again, the next request it
/// would fit is answered with the same address a second time (and counted as a live block, as a real
/// double hand-out would be).
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed class FreedBlockHandedOutTwice(IPoolUnderTest inner) : PoolDecorator(inner)
{
    private (nint Block, ulong Usable)? freed;
    private (nint Block, ulong Usable)? armed;
    private long extraBlocks;
    private ulong extraBytes;

    /// <inheritdoc />
    public override void Free(nint block)
    {
        if (Inner.UsableSize(block) is ulong usable)
        {
            freed = (block, usable);
        }

        if (armed?.Block == block)
        {
            armed = null; // its first hand-out ended before the second: nothing to hand out twice
        }

        Inner.Free(block);
    }

    /// <inheritdoc />
    public override nint Malloc(nuint size)
    {
        if (armed is { } twice && (ulong)size <= twice.Usable)
        {
            armed = null;
            extraBlocks++;
            extraBytes += twice.Usable;
            return twice.Block;
        }

        return Watch(Inner.Malloc(size));
    }

    /// <inheritdoc />
    public override nint Calloc(nuint count, nuint size) => Watch(Inner.Calloc(count, size));

    /// <inheritdoc />
    public override nint Realloc(nint block, nuint size) => Watch(Inner.Realloc(block, size));

    /// <inheritdoc />
    public override PoolStatistics Statistics()
    {
        PoolStatistics s = Inner.Statistics();
        return s with { LiveBlocks = s.LiveBlocks + extraBlocks, BytesInUse = s.BytesInUse + extraBytes };
    }

    private nint Watch(nint result)
    {
        if (result != 0 && freed is { } f && f.Block == result)
        {
            armed = f;
            freed = null;
        }

        return result;
    }
}
