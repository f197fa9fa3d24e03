using AreaMalloc.Idiomatic;
using AreaMalloc.Pool;
using AreaMalloc.Properties.Runner;
using AreaMalloc.TestKit.Settings;
using AreaMalloc.Properties.ModelBased;
using AreaMalloc.TestKit.ModelBased;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using Xunit.Abstractions;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Idiomatic;

/// <summary>
/// The model-based property again, with every pool's area shared and mapped a second time, read only, at another
/// address (a <see cref="PoolView"/>): after every command, every live block must hold its pattern when read through
/// the clone, and the integrity walker must pass through the clone and agree with the walk on the pool.
/// </summary>
[Expensive(30)]
public sealed class ClonedPoolModelProperty(ITestOutputHelper output)
{
    /// <summary>Sequences at the CI budget (the property's law is narrower than the model's: a third of its sequences).</summary>
    public const int CiSequences = 100;

    [Fact]
    public void Every_live_block_reads_the_same_through_a_clone_of_its_pools_area_on_every_command_sequence()
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(new ClonedPoolFactory(), Budget.Current.Scale(CiSequences), testName: null);
        output.WriteLine(outcome.Summary + " [budget " + Budget.Current + "]");
        output.WriteLine(outcome.EventSummary);
        Assert.True(outcome.Passed, outcome.FailureText);
        Assert.True(outcome.LeakedSequences == 0, $"{outcome.LeakedSequences} sequences left areas mapped after the last put_module");
        Assert.True(outcome.Events.GetValueOrDefault("live block read through a clone of its pool's area") > 0, "no live block was ever read through a clone");
    }

    [Fact]
    public void A_stale_copy_posing_as_a_clone_is_caught()
    {
        PropertyOutcome outcome = ModelBasedProperty.Check(new ClonedPoolFactory(StaleCopy.Of), Budget.Current.Scale(CiSequences), testName: null, shrink: false);

        Assert.False(outcome.Passed, "a copy of the area taken when the pool was made passed for a clone");
        Assert.Contains("reads differently through the clone of its pool's area", outcome.FailureText, StringComparison.Ordinal);
    }
}

/// <summary>A second mapping of a pool's area, as <see cref="ClonedPool"/> reads it.</summary>
public interface IPoolAlias : IDisposable
{
    /// <summary>Where the pool's area starts in this mapping.</summary>
    nint Base { get; }

    /// <summary>The integrity walker through this mapping, or null when it has none.</summary>
    /// <returns>The report.</returns>
    IntegrityReport? Walk();
}

/// <summary>A read-only <see cref="PoolView"/>: a real clone of the pool's area.</summary>
internal sealed class ViewAlias(PoolView view) : IPoolAlias
{
    public nint Base => view.Base;

    public static IPoolAlias Of(PoolAllocator pool) => new ViewAlias(PoolView.Open(pool));

    public IntegrityReport? Walk() => view.CheckIntegrity();

    public void Dispose() => view.Dispose();
}

/// <summary>The fault the property must catch: a private copy of the area taken when the pool is made, not a clone.</summary>
internal sealed unsafe class StaleCopy(PoolAllocator pool) : IPoolAlias
{
    private readonly void* copy = CopyOf(pool);

    public nint Base => (nint)copy;

    public static IPoolAlias Of(PoolAllocator pool) => new StaleCopy(pool);

    public IntegrityReport? Walk() => null;

    public void Dispose() => System.Runtime.InteropServices.NativeMemory.AlignedFree(copy);

    private static void* CopyOf(PoolAllocator pool)
    {
        nuint size = (nuint)pool.Layout.AreaSize;
        void* bytes = System.Runtime.InteropServices.NativeMemory.AlignedAlloc(size, 4096);
        Buffer.MemoryCopy((void*)pool.Base, bytes, size, size);
        return bytes;
    }
}

/// <summary>The real allocator, its pools shared and each read through a second mapping (<see cref="ClonedPoolModule"/>).</summary>
/// <param name="alias">Makes the second mapping of a new pool (by default a read-only <see cref="PoolView"/>).</param>
public sealed class ClonedPoolFactory(Func<PoolAllocator, IPoolAlias>? alias = null) : IPoolFactory
{
    /// <inheritdoc />
    public string Name => alias is null ? "the real allocator, every pool read through a clone of its area" : "the real allocator, every pool read through another mapping";

    /// <inheritdoc />
    public IModuleUnderTest Start(ulong keySeed) => new ClonedPoolModule(new RealModule(keySeed: keySeed), alias ?? ViewAlias.Of);
}

/// <summary>
/// A <see cref="RealModule"/> whose create_pool adds B_CLONEABLE_AREA to the protection (it changes nothing else: a
/// pool's behaviour does not depend on whether its area is shared) and maps every pool it makes a second time; a
/// second mapping is disposed (a clone deleted) once its pool is deleted, so no sequence leaves a clone mapped.
/// </summary>
public sealed class ClonedPoolModule(RealModule inner, Func<PoolAllocator, IPoolAlias> alias) : IModuleUnderTest
{
    private readonly Dictionary<nint, (PoolAllocator Pool, IPoolAlias View)> views = [];

    /// <inheritdoc />
    public int MappedAreas => inner.MappedAreas;

    /// <inheritdoc />
    public int GetModule(string name) => inner.GetModule(name);

    /// <inheritdoc />
    public int PutModule()
    {
        int status = inner.PutModule();
        CloseViewsOfDeletedPools();
        return status;
    }

    /// <inheritdoc />
    public nint CreatePool(uint addressSpec, nuint size, uint lockSpec, uint protection)
    {
        nint pool = inner.CreatePool(addressSpec, size, lockSpec, protection | B_CLONEABLE_AREA);
        if (pool != 0 && inner.Pool(pool) is RealPool real)
        {
            CloseViewsOfDeletedPools(); // the id may have named a pool of an earlier module
            views[pool] = (real.Allocator, alias(real.Allocator));
        }

        return pool;
    }

    /// <inheritdoc />
    public int DeletePool(nint pool)
    {
        int status = inner.DeletePool(pool);
        CloseViewsOfDeletedPools();
        return status;
    }

    /// <inheritdoc />
    public nint Malloc(nint pool, nuint size) => inner.Malloc(pool, size);

    /// <inheritdoc />
    public nint Calloc(nint pool, nuint count, nuint size) => inner.Calloc(pool, count, size);

    /// <inheritdoc />
    public nint Realloc(nint pool, nint block, nuint size) => inner.Realloc(pool, block, size);

    /// <inheritdoc />
    public void Free(nint pool, nint block) => inner.Free(pool, block);

    /// <inheritdoc />
    public IPoolUnderTest? Pool(nint pool) =>
        inner.Pool(pool) is RealPool real && views.TryGetValue(pool, out var v) && v.Pool == real.Allocator ? new ClonedPool(real, v.View) : inner.Pool(pool);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach ((_, IPoolAlias view) in views.Values)
        {
            view.Dispose();
        }

        views.Clear();
        inner.Dispose();
    }

    private void CloseViewsOfDeletedPools()
    {
        foreach ((nint id, (PoolAllocator pool, IPoolAlias view)) in views.Where(v => v.Value.Pool.IsDeleted).ToList())
        {
            view.Dispose();
            views.Remove(id);
        }
    }
}

/// <summary>A live pool and its second mapping: everything as the pool says, plus the mapping as an alias, and the walker run through it too.</summary>
public sealed class ClonedPool : IPoolUnderTest
{
    private readonly RealPool pool;
    private readonly IPoolAlias view;

    internal ClonedPool(RealPool pool, IPoolAlias view)
    {
        this.pool = pool;
        this.view = view;
    }

    /// <inheritdoc />
    public nint Base => pool.Base;

    /// <inheritdoc />
    public ulong AreaSize => pool.AreaSize;

    /// <inheritdoc />
    public ulong MaxSingleRequest => pool.MaxSingleRequest;

    /// <inheritdoc />
    public IReadOnlyList<nint> Aliases => [view.Base];

    /// <inheritdoc />
    public nint Malloc(nuint size) => pool.Malloc(size);

    /// <inheritdoc />
    public nint Calloc(nuint count, nuint size) => pool.Calloc(count, size);

    /// <inheritdoc />
    public nint Realloc(nint block, nuint size) => pool.Realloc(block, size);

    /// <inheritdoc />
    public void Free(nint block) => pool.Free(block);

    /// <inheritdoc />
    public ulong? UsableSize(nint block) => pool.UsableSize(block);

    /// <inheritdoc />
    public PoolStatistics Statistics() => pool.Statistics();

    /// <inheritdoc />
    public void Trim() => pool.Trim();

    /// <summary>The walk on the pool, which must equal the walk through the clone (else a report naming the disagreement).</summary>
    public IntegrityReport CheckIntegrity()
    {
        IntegrityReport direct = pool.CheckIntegrity();
        IntegrityReport through = view.Walk() ?? direct;
        return direct == through
            ? direct
            : new IntegrityReport($"the walker through the clone at 0x{view.Base:x} found \"{through}\", on the pool \"{direct}\"", through.Offset ?? direct.Offset, through.BlocksWalked, through.FreeBlocks, through.Slabs);
    }
}
