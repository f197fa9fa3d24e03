using System.Globalization;

namespace AreaMalloc.Models;

/// <summary>
/// The reference model of the area_malloc module: obviously correct, slow, managed.
/// </summary>
/// <remarks>
/// <para>Ownership: mutable, owned by one test sequence, not thread-safe. <see cref="Step"/> and
/// <see cref="Check"/> judge an observed outcome first and change the state only when the verdict
/// is allowed (the verdict is then about the new state); after a violation the state is exactly as
/// before. <see cref="Clone"/> is a deep copy in O(live blocks + pools) for shrinking or branching.</para>
/// <para>Invariants: every live block belongs to exactly one live pool, lies inside that pool's
/// area, is 16-byte aligned and is disjoint from every other live block of every pool;
/// <see cref="LiveBlocks"/> holds exactly the live blocks of the live pools; a handle maps to at
/// most one live pool; <see cref="ModuleUsers"/> &gt;= 0.</para>
/// </remarks>
public sealed partial class AllocatorModel
{
    private readonly List<PoolState> pools;
    private readonly Dictionary<ulong, PoolState> liveByHandle;
    private readonly LiveBlockIndex index;
    private readonly List<BlockRecord> history;

    /// <summary>A model with no pools and the module not held.</summary>
    /// <param name="parameters">Numbers supplied by the test.</param>
    public AllocatorModel(ModelParameters parameters)
        : this(parameters, new List<PoolState>(), new LiveBlockIndex(), new List<BlockRecord>())
    {
    }

    private AllocatorModel(ModelParameters parameters, List<PoolState> pools, LiveBlockIndex index, List<BlockRecord> history)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        this.pools = pools;
        this.index = index;
        this.history = history;
        liveByHandle = pools.Where(p => p.IsLive).ToDictionary(p => p.Handle);
    }

    /// <summary>The numbers supplied by the test.</summary>
    public ModelParameters Parameters { get; }

    /// <summary>How many <c>get_module</c> calls are not yet matched by a <c>put_module</c>.</summary>
    public int ModuleUsers { get; private set; }

    /// <summary>How many calls were judged allowed so far; the step number of the next call is <c>Steps + 1</c>.</summary>
    public long Steps { get; private set; }

    /// <summary>Every pool ever created, live or deleted; <c>Pools[n - 1]</c> is pool number <c>n</c>.</summary>
    public IReadOnlyList<PoolState> Pools => pools;

    /// <summary>Every block ever handed out, live or not; <c>Blocks[id - 1]</c> is block <c>id</c>.</summary>
    public IReadOnlyList<BlockRecord> Blocks => history;

    /// <summary>The live blocks of all pools, by address (the O(log n) disjointness helper).</summary>
    public LiveBlockIndex LiveBlocks => index;

    /// <summary>The live pool with this handle, or null.</summary>
    /// <param name="handle">A pool id.</param>
    /// <returns>The pool or null.</returns>
    public PoolState? LivePool(ulong handle) => liveByHandle.GetValueOrDefault(handle);

    /// <summary>Pool number <paramref name="number"/> (1-based), live or deleted.</summary>
    /// <param name="number">The model number.</param>
    /// <returns>The pool.</returns>
    public PoolState Pool(int number) => pools[number - 1];

    /// <summary>Block <paramref name="id"/> (1-based), live or not.</summary>
    /// <param name="id">The block id.</param>
    /// <returns>The block.</returns>
    public BlockRecord Block(int id) => history[id - 1];

    /// <summary>Whether <paramref name="block"/> is still live.</summary>
    /// <param name="block">A block of this model.</param>
    /// <returns>True when live.</returns>
    public bool IsLive(BlockRecord block) => block is not null && index.At(block.Address)?.Id == block.Id;

    /// <summary>The statistics the real pool must report, or null when the pool is not live (no statistics).</summary>
    /// <param name="pool">The pool.</param>
    /// <returns>The prediction or null.</returns>
    public PoolStatistics? Statistics(PoolRef pool) => LivePool(HandleOf(pool))?.Statistics;

    /// <summary>Compares the statistics the real pool reports with the prediction.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="observed">What the real pool reports.</param>
    /// <returns>Allowed when equal, else a violation listing both.</returns>
    public Verdict CheckStatistics(PoolRef pool, PoolStatistics observed)
    {
        PoolState? live = LivePool(HandleOf(pool));
        if (live is null)
        {
            return Verdict.Violation(Invariant($"{pool} is not live: a deleted pool has no statistics, yet {observed} was reported"));
        }

        return live.Statistics == observed
            ? Verdict.Allowed(Invariant($"{live} statistics {observed}"))
            : Verdict.Violation(Invariant($"{live} statistics: expected {live.Statistics}, actual {observed}"));
    }

    /// <summary>Resolves <paramref name="operation"/>, judges the observed outcome, and on success applies it.</summary>
    /// <param name="operation">The operation the test performed.</param>
    /// <param name="observed">What the real allocator did.</param>
    /// <returns>The verdict.</returns>
    public Verdict Step(Operation operation, Observation observed)
    {
        Verdict verdict = Check(Resolve(operation), observed);
        return IsMisuse(operation) ? verdict with { Message = operation.GetType().Name + ": " + verdict.Message } : verdict;
    }

    /// <summary>Judges the observed outcome of a concrete call, and on success applies it.</summary>
    /// <param name="call">The call as passed to the real allocator.</param>
    /// <param name="observed">What the real allocator did.</param>
    /// <returns>The verdict.</returns>
    public Verdict Check(ApiCall call, Observation observed)
    {
        ArgumentNullException.ThrowIfNull(call);
        Verdict verdict = call.Kind switch
        {
            CallKind.CreatePool => CheckCreatePool(call, observed),
            CallKind.DeletePool => CheckDeletePool(call, observed),
            CallKind.Malloc => CheckMalloc(call, observed),
            CallKind.Calloc => CheckCalloc(call, observed),
            CallKind.Realloc => CheckRealloc(call, observed),
            CallKind.Free => CheckFree(call),
            CallKind.GetModule => CheckGetModule(call, observed),
            CallKind.PutModule => CheckPutModule(observed),
            _ => throw new ArgumentOutOfRangeException(nameof(call), call.Kind, "unknown call kind"),
        };
        if (verdict.IsAllowed)
        {
            Steps++;
        }

        return verdict;
    }

    /// <summary>A deep copy; blocks and contents (immutable) are shared.</summary>
    /// <returns>The copy.</returns>
    public AllocatorModel Clone() =>
        new(Parameters, pools.Select(p => p.Clone()).ToList(), index.Clone(), new List<BlockRecord>(history))
        {
            ModuleUsers = ModuleUsers,
            Steps = Steps,
        };

    private static bool IsMisuse(Operation operation) => operation is DoubleFree or InteriorFree or ForeignFree
        or FreedPointerToRealloc or OperationOnDeletedPool or CallocOverflow or ImpossibleSize;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Deletes a live pool: its blocks leave the index, its handle is free again.</summary>
    private void DeletePoolState(PoolState pool)
    {
        foreach (BlockRecord block in pool.Delete())
        {
            index.Remove(block);
        }

        liveByHandle.Remove(pool.Handle);
    }
}
