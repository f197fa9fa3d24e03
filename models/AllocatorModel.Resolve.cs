namespace AreaMalloc.Models;

/// <summary>Turning operations into concrete calls, choosing targets for generators, and labels.</summary>
public sealed partial class AllocatorModel
{
    /// <summary>A pool id no pool ever has: what <see cref="PickDeletedPool"/> gives when no pool was deleted.</summary>
    public const ulong GarbagePoolHandle = 0x0BAD_F00D_DEAD_BEE0;

    /// <summary>
    /// The concrete call <paramref name="operation"/> stands for in the current state: pool numbers
    /// become the handles those pools got, block ids the addresses those blocks had.
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The call to pass to the real allocator, then to <see cref="Check"/>.</returns>
    public ApiCall Resolve(Operation operation) => operation switch
    {
        CreatePool p => new ApiCall(CallKind.CreatePool, Size: p.Size, AddressSpec: p.AddressSpec, LockSpec: p.LockSpec, Protection: p.Protection),
        DeletePool d => new ApiCall(CallKind.DeletePool, Pool: HandleOf(d.Pool)),
        Malloc m => new ApiCall(CallKind.Malloc, Pool: HandleOf(m.Pool), Size: m.Size),
        Calloc c => new ApiCall(CallKind.Calloc, Pool: HandleOf(c.Pool), Count: c.Count, Size: c.Size),
        Realloc r => new ApiCall(CallKind.Realloc, Pool: HandleOf(r.Pool), Address: AddressOf(r.Block), Size: r.Size),
        Free f => new ApiCall(CallKind.Free, Pool: HandleOf(f.Pool), Address: AddressOf(f.Block)),
        GetModule g => new ApiCall(CallKind.GetModule, ModuleName: g.Name),
        PutModule => new ApiCall(CallKind.PutModule),
        DoubleFree d => new ApiCall(CallKind.Free, Pool: HandleOf(d.Pool), Address: AddressOf(d.Block)),
        InteriorFree i => new ApiCall(CallKind.Free, Pool: HandleOf(i.Pool), Address: unchecked(AddressOf(i.Block) + i.Offset)),
        ForeignFree f => new ApiCall(CallKind.Free, Pool: HandleOf(f.Pool), Address: f.Address),
        FreedPointerToRealloc r => new ApiCall(CallKind.Realloc, Pool: HandleOf(r.Pool), Address: AddressOf(r.Block), Size: r.Size),
        OperationOnDeletedPool o => ResolveOnDeleted(o),
        CallocOverflow c => new ApiCall(CallKind.Calloc, Pool: HandleOf(c.Pool), Count: c.Count, Size: c.Size),
        ImpossibleSize s => new ApiCall(CallKind.Malloc, Pool: HandleOf(s.Pool), Size: s.Size),
        null => throw new ArgumentNullException(nameof(operation)),
        _ => throw new ArgumentException("unknown operation " + operation.GetType().Name, nameof(operation)),
    };

    /// <summary>The handle a pool reference stands for (a deleted pool keeps its old handle).</summary>
    /// <param name="pool">The reference.</param>
    /// <returns>The handle.</returns>
    public ulong HandleOf(PoolRef pool) => pool.Number > 0 ? Pool(pool.Number).Handle : pool.RawHandle;

    /// <summary>The address a block reference stands for (a freed block keeps its old address).</summary>
    /// <param name="block">The reference.</param>
    /// <returns>The address.</returns>
    public ulong AddressOf(BlockRef block) => block.Id > 0 ? Block(block.Id).Address : block.RawAddress;

    /// <summary>For generators: a live pool chosen by <paramref name="selector"/> (any int), or NULL when none is live.</summary>
    /// <param name="selector">Any number; taken modulo the count.</param>
    /// <returns>The reference.</returns>
    public PoolRef PickLivePool(int selector) => Pick(pools.Where(p => p.IsLive).Select(p => PoolRef.Of(p.Number)).ToList(), selector, PoolRef.Null);

    /// <summary>For generators: a deleted pool, or <see cref="GarbagePoolHandle"/> when none was deleted.</summary>
    /// <param name="selector">Any number; taken modulo the count.</param>
    /// <returns>The reference.</returns>
    public PoolRef PickDeletedPool(int selector) =>
        Pick(pools.Where(p => !p.IsLive).Select(p => PoolRef.Of(p.Number)).ToList(), selector, PoolRef.Raw(GarbagePoolHandle));

    /// <summary>For generators: a live block of <paramref name="pool"/> (in id order, so replays agree), or NULL.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="selector">Any number; taken modulo the count.</param>
    /// <returns>The reference.</returns>
    public BlockRef PickLiveBlock(PoolRef pool, int selector)
    {
        PoolState? live = LivePool(HandleOf(pool));
        var ids = live is null ? [] : live.LiveBlocks.Values.Select(b => b.Id).Order().Select(BlockRef.Of).ToList();
        return Pick(ids, selector, BlockRef.Null);
    }

    /// <summary>For generators: a block that is no longer live (freed, released by realloc, or its pool deleted), or NULL.</summary>
    /// <param name="selector">Any number; taken modulo the count.</param>
    /// <returns>The reference.</returns>
    public BlockRef PickFreedBlock(int selector) =>
        Pick(history.Where(b => !IsLive(b)).Select(b => BlockRef.Of(b.Id)).ToList(), selector, BlockRef.Null);

    private static T Pick<T>(List<T> choices, int selector, T none) =>
        choices.Count == 0 ? none : choices[(int)((uint)selector % (uint)choices.Count)];

    private ApiCall ResolveOnDeleted(OperationOnDeletedPool o)
    {
        ulong handle = HandleOf(o.Pool);
        return o.Kind switch
        {
            PoolCallKind.Delete => new ApiCall(CallKind.DeletePool, Pool: handle),
            PoolCallKind.Malloc => new ApiCall(CallKind.Malloc, Pool: handle, Size: o.Size),
            PoolCallKind.Calloc => new ApiCall(CallKind.Calloc, Pool: handle, Count: 1, Size: o.Size),
            PoolCallKind.Realloc => new ApiCall(CallKind.Realloc, Pool: handle, Address: AddressOf(o.Block), Size: o.Size),
            _ => new ApiCall(CallKind.Free, Pool: handle, Address: AddressOf(o.Block)),
        };
    }

    /// <summary>A pool id for messages: <c>pool#2</c>, <c>pool#2 (deleted)</c>, <c>NULL pool</c> or <c>pool 0x.. (never created)</c>.</summary>
    private string PoolLabel(ulong handle)
    {
        if (LivePool(handle) is PoolState live)
        {
            return live.ToString();
        }

        PoolState? dead = pools.LastOrDefault(p => p.Handle == handle);
        return dead is not null ? Invariant($"{dead} (deleted)")
            : handle == 0 ? "NULL pool" : Invariant($"pool 0x{handle:x} (never created)");
    }

    /// <summary>A pointer for messages: <c>NULL</c>, <c>block#3 0x..</c> when live, else the raw address.</summary>
    private string PointerLabel(ulong address) =>
        address == 0 ? "NULL" : index.At(address) is BlockRecord b ? Invariant($"block#{b.Id} 0x{address:x}") : Invariant($"0x{address:x}");

    /// <summary>The call with pools and pointers named as the model knows them, e.g. <c>malloc(pool#2, 48)</c>.</summary>
    private string Label(ApiCall c) => c.Kind switch
    {
        CallKind.DeletePool => Invariant($"delete_pool({PoolLabel(c.Pool)})"),
        CallKind.Malloc => Invariant($"malloc({PoolLabel(c.Pool)}, {c.Size})"),
        CallKind.Calloc => Invariant($"calloc({PoolLabel(c.Pool)}, {c.Count}, {c.Size})"),
        CallKind.Realloc => Invariant($"realloc({PoolLabel(c.Pool)}, {PointerLabel(c.Address)}, {c.Size})"),
        CallKind.Free => Invariant($"free({PoolLabel(c.Pool)}, {PointerLabel(c.Address)})"),
        _ => c.ToString(),
    };
}
