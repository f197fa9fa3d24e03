using AreaMalloc.Pool;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// A pool that forwards every call to a correct one; each faulty implementation overrides exactly the
/// member its fault lives in, so that whatever the properties catch is that fault and nothing else.
/// </summary>
/// <param name="inner">The correct pool.</param>
public abstract class PoolDecorator(IPoolUnderTest inner) : IPoolUnderTest
{
    /// <summary>The correct pool underneath.</summary>
    protected IPoolUnderTest Inner { get; } = inner;

    /// <inheritdoc />
    public nint Base => Inner.Base;

    /// <inheritdoc />
    public ulong AreaSize => Inner.AreaSize;

    /// <inheritdoc />
    public ulong MaxSingleRequest => Inner.MaxSingleRequest;

    /// <inheritdoc />
    public virtual nint Malloc(nuint size) => Inner.Malloc(size);

    /// <inheritdoc />
    public virtual nint Calloc(nuint count, nuint size) => Inner.Calloc(count, size);

    /// <inheritdoc />
    public virtual nint Realloc(nint block, nuint size) => Inner.Realloc(block, size);

    /// <inheritdoc />
    public virtual void Free(nint block) => Inner.Free(block);

    /// <inheritdoc />
    public virtual ulong? UsableSize(nint block) => Inner.UsableSize(block);

    /// <inheritdoc />
    public virtual PoolStatistics Statistics() => Inner.Statistics();

    /// <inheritdoc />
    public virtual IntegrityReport CheckIntegrity() => Inner.CheckIntegrity();

    /// <inheritdoc />
    public virtual void Trim() => Inner.Trim();
}
