using AreaMalloc.Areas;
using AreaMalloc.Pool;
using Microsoft.Coyote.Specifications;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.ConcurrencyTests.Scenarios.Workload;

/// <summary>Pools for scenarios: readable, writable, unlocked areas made through a given registry.</summary>
public static class TestPools
{
    /// <summary>The protection every scenario pool gets.</summary>
    public const uint Protection = B_READ_AREA | B_WRITE_AREA;

    /// <summary>A pool of <paramref name="size"/> bytes in <paramref name="areas"/>; a specification failure when it cannot be made.</summary>
    public static PoolAllocator Create(AreaRegistry areas, nuint size, PoolBehavior behavior = PoolBehavior.BeBook, PoolCaching caching = PoolCaching.None)
    {
        PoolAllocator? pool = PoolAllocator.Create(areas, B_ANY_ADDRESS, size, B_NO_LOCK, Protection, out int status, new PoolSettings { Behavior = behavior, Caching = caching });
        Specification.Assert(pool is not null, $"create_pool({size}) failed with status {status}");
        return pool!;
    }
}
