using System.Globalization;
using System.Runtime.InteropServices;
using AreaMalloc.Models;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.ModelBased.UnderTest;
using Stats = AreaMalloc.Pool.PoolStatistics;
using AreaMalloc.Pool;

namespace AreaMalloc.TestKit.ModelBased;

/// <summary>Totals over every sequence a property ran (generated ones and shrink attempts).</summary>
public sealed class RunCounters
{
    /// <summary>Sequences started.</summary>
    public long Sequences { get; internal set; }

    /// <summary>Commands executed.</summary>
    public long Commands { get; internal set; }

    /// <summary>Sequences that left an area mapped after the module was put away.</summary>
    public long LeakedSequences { get; internal set; }

    /// <summary>How often each kind of interesting event happened (evidence that the checks had something to check).</summary>
    public IReadOnlyDictionary<string, long> Events => events;

    private readonly SortedDictionary<string, long> events = new(StringComparer.Ordinal);

    internal void Count(string what) => events[what] = events.GetValueOrDefault(what) + 1;
}

/// <summary>
/// Runs one command sequence against an implementation and holds it to the reference model: each command
/// becomes a model <see cref="Operation"/>, the model resolves it to a concrete call, the call goes to the
/// implementation, and the model judges what came back (<see cref="AllocatorModel.Step"/>). After every
/// command the driver checks what the model cannot see from return values: every live block still holds
/// its bytes, statistics equal the model's, the integrity walker passes, an emptied pool holds MaxSingleRequest and is then pristine without Trim,
/// and misuse changed nothing. The first failure stops the sequence (later commands are not run: a broken
/// allocator may have corrupted its own memory).
/// </summary>
/// <remarks>
/// Symbols: a pool or block symbol is bound to the model's pool number or block id when the command that
/// defines it succeeds; commands naming a symbol whose allocation returned NULL are skipped. Owns the
/// module it was given and disposes it.
/// </remarks>
public sealed partial class SequenceDriver : IDisposable
{
    private const ulong WildAddress = 0xDEAD_0000_BEE0;

    private readonly IModuleUnderTest sut;
    private readonly AllocatorModel model;
    private readonly RunCounters counters;
    private readonly Dictionary<int, PoolRef> pools = [];
    private readonly Dictionary<int, int> blocks = [];
    private readonly Dictionary<int, byte[]> expected = [];
    private readonly Dictionary<int, Stats> pristine = [];

    /// <summary>The last statistics audited per pool number: the history the peak and the event counters are checked against.</summary>
    private readonly Dictionary<int, Stats> audited = [];
    private readonly List<string>? trace;
    private readonly nint foreign;
    private bool disposed;

    /// <summary>Starts a sequence: the module is got once (the state every sequence starts in).</summary>
    /// <param name="sut">A fresh module, owned from now on.</param>
    /// <param name="counters">Where to count sequences and commands.</param>
    /// <param name="keepTrace">True to record a line per command (for failure reports).</param>
    public unsafe SequenceDriver(IModuleUnderTest sut, RunCounters counters, bool keepTrace = false)
    {
        ArgumentNullException.ThrowIfNull(sut);
        ArgumentNullException.ThrowIfNull(counters);
        this.sut = sut;
        this.counters = counters;
        counters.Sequences++;
        trace = keepTrace ? [] : null;
        foreign = (nint)NativeMemory.AlignedAlloc(64, 16);
        model = new AllocatorModel(new ModelParameters(AreaMalloc.Pool.PoolLayout.MinAreaSize));
        var get = new GetModule(BeConstants.ModuleName);
        Verdict v = model.Step(get, Perform(model.Resolve(get)));
        Failure = v.IsAllowed ? null : "setup: " + v.Message;
    }

    /// <summary>The first failure, or null while the sequence agrees with the model.</summary>
    public string? Failure { get; private set; }

    /// <summary>Commands executed (skipped ones included).</summary>
    public int Executed { get; private set; }

    /// <summary>One line per command (when asked for): the command and the model's verdict.</summary>
    public IReadOnlyList<string> Trace => trace ?? [];

    /// <summary>Executes <paramref name="command"/> and checks everything after it.</summary>
    /// <param name="command">The command.</param>
    /// <returns>Null when all is well, else the failure (also kept in <see cref="Failure"/>).</returns>
    public string? Execute(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Failure is not null)
        {
            return null;
        }

        Executed++;
        counters.Commands++;
        string? failure;
        try
        {
            failure = command switch
            {
                TrimCommand t => RunTrim(t),
                DrainCommand d => RunDrain(d),
                _ => RunCall(command),
            };
            failure ??= CheckInvariants();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = "threw " + e;
        }

        if (failure is not null)
        {
            Failure = Invariant($"command {Executed} `{command}`: {failure}");
            Record("    FAILED: " + failure);
        }

        return failure;
    }

    /// <summary>Puts the module away (deleting every pool) and frees the driver's own memory.</summary>
    public unsafe void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        sut.Dispose();
        if (sut.MappedAreas != 0)
        {
            counters.LeakedSequences++;
        }

        NativeMemory.AlignedFree((void*)foreign);
    }

    /// <summary>One allocator call: resolve, perform, judge, adopt what it made, check misuse changed nothing.</summary>
    private string? RunCall(Command command)
    {
        Operation? op = ToOperation(command);
        if (op is null)
        {
            Record(Invariant($"{Executed,3}. {command}    skipped: it names a symbol whose allocation returned NULL"));
            counters.Count("command skipped (names a failed allocation)");
            return null;
        }

        ApiCall call = model.Resolve(op);
        MisuseSnapshot? before = IsMisuseNow(command, call) ? TakeSnapshot() : null;
        if (before is null && MisuseKind(command) is not null)
        {
            counters.Count("misuse turned legal (address or pool id reused)");
        }

        Observation observed = Perform(call);
        Verdict verdict = model.Step(op, observed);
        Record(Invariant($"{Executed,3}. {command}    {verdict}"));
        if (!verdict.IsAllowed)
        {
            return "the model refuses the outcome: " + verdict.Message;
        }

        if (verdict.NewPool is PoolState pool)
        {
            string? wrong = AdoptPool(command, pool);
            if (wrong is not null)
            {
                return wrong;
            }
        }

        CountOutcome(call, observed, verdict);
        string? failure = Bind(command, verdict.NewBlock);
        return failure ?? (before is null ? null : CheckMisuseChangedNothing(command, before));
    }

    /// <summary>Binds the symbol the command defines; adopts a new block (birth bytes, then the pattern).</summary>
    private string? Bind(Command command, BlockRecord? made)
    {
        int sym = command.Defines.Block;
        if (made is not null)
        {
            if (sym != 0)
            {
                blocks[sym] = made.Id;
            }

            return AdoptBlock(made);
        }

        // realloc returned NULL for a live block: the old block lives on under the new name.
        if (sym != 0 && command is ReallocCommand { Old: not 0, Size: not 0 } r
            && blocks.TryGetValue(r.Old, out int oldId) && model.IsLive(model.Block(oldId)))
        {
            blocks[sym] = oldId;
        }

        return null;
    }

    /// <summary>Trim, then the usual checks (an empty pool with no spare slab must be pristine).</summary>
    private string? RunTrim(TrimCommand t)
    {
        if (!pools.TryGetValue(t.Pool, out PoolRef p) || model.Statistics(p) is null)
        {
            Record(Invariant($"{Executed,3}. {t}    skipped: the pool was never created"));
            return null;
        }

        Open(p).Trim();
        Record(Invariant($"{Executed,3}. {t}"));
        return null;
    }

    /// <summary>
    /// Frees every block, then (no Trim: the Be surface has none) the largest request and its free; the pool must then
    /// be pristine: its statistics a fresh pool's. The largest request is what releases the spare slabs and drains the
    /// magazines, as any request that would otherwise fail does.
    /// </summary>
    private string? RunDrain(DrainCommand d)
    {
        if (!pools.TryGetValue(d.Pool, out PoolRef p) || model.Statistics(p) is null)
        {
            Record(Invariant($"{Executed,3}. {d}    skipped: the pool was never created"));
            return null;
        }

        Record(Invariant($"{Executed,3}. {d}"));
        PoolState state = model.Pool(p.Number);
        foreach (int id in state.LiveBlocks.Values.Select(b => b.Id).Order().ToList())
        {
            string? failure = Step(new Free(p, BlockRef.Of(id)));
            if (failure is not null)
            {
                return failure;
            }
        }

        // The capacity guarantee right after a full release, without Trim: the largest request fits, and freeing it
        // leaves the pool pristine.
        var largest = new Malloc(p, state.Geometry.MaxSingleRequest);
        int before = model.Blocks.Count;
        string? grown = Step(largest);
        if (grown is not null || model.Blocks.Count == before)
        {
            return grown ?? Invariant($"after every block of {state} was freed, the largest request ({state.Geometry.MaxSingleRequest} bytes) was not satisfied");
        }

        string? freed = Step(new Free(p, BlockRef.Of(model.Blocks.Count)));
        if (freed is not null)
        {
            return freed;
        }

        string? diff = StatisticsDiff.Describe(pristine[p.Number], Open(p).Statistics(), StatisticsDiff.HistoryFields);
        if (diff is not null)
        {
            return Invariant($"after every block of {state} was freed and the largest request came and went (no Trim), the pool is not pristine: {diff}");
        }

        counters.Count("drained pool held MaxSingleRequest, then pristine without Trim");
        return null;
    }

    /// <summary>An extra model step made by the driver itself (drain).</summary>
    private string? Step(Operation op)
    {
        Verdict v = model.Step(op, Perform(model.Resolve(op)));
        Record("      " + v);
        if (!v.IsAllowed)
        {
            return "the model refuses the outcome: " + v.Message;
        }

        return v.NewBlock is BlockRecord b ? AdoptBlock(b) : null;
    }

    private void CountOutcome(ApiCall call, Observation observed, Verdict verdict)
    {
        if (call.Kind is CallKind.Malloc or CallKind.Calloc or CallKind.Realloc)
        {
            counters.Count(verdict.NewBlock is null ? Invariant($"{call.Kind} returned NULL") : Invariant($"{call.Kind} returned a block"));
        }

        if (call.Kind == CallKind.Realloc && verdict.NewBlock is not null && call.Address != 0)
        {
            counters.Count(observed.Address == call.Address ? "Realloc in place" : "Realloc moved");
        }
    }

    private IPoolUnderTest Open(PoolRef p) =>
        sut.Pool((nint)model.HandleOf(p)) ?? throw new InvalidOperationException(Invariant($"{p} is live in the model but unknown to the module"));

    private void Record(string line) => trace?.Add(line);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
