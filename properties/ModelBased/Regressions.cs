using AreaMalloc.Models;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>
/// Shrunk counterexamples kept as regression tests, pasted as the failure report printed them and named after the law
/// each pins. Each replays against the real allocator and must agree with the model.
/// </summary>
public sealed class Regressions
{
    /// <summary>
    /// Found while writing the suite (a bug of the misuse check, not of the allocator; found by the run whose seed
    /// ends f176cb): after the last put_module and a new get_module, a new pool gets the id of a deleted one, so a
    /// "call on a deleted pool" reaches the live pool and is judged as a refused realloc there, which counts a refusal.
    /// </summary>
    [Fact]
    public void A_realloc_on_a_deleted_pool_whose_id_a_new_pool_reuses_is_judged_as_a_realloc_on_the_new_pool()
    {
        string? failure = ModelBasedProperty.Replay(new RealPoolFactory(),
            new CreatePoolCommand(Pool: 1, Size: 4096, LockSpec: 0, AddressSpec: 0),
            new CallocCommand(Block: 1, Pool: 1, Count: 0, Size: 0),
            new PutModuleCommand(),
            new GetModuleCommand(KnownName: true),
            new CreatePoolCommand(Pool: 2, Size: 4096, LockSpec: 0, AddressSpec: 0),
            new DeletedPoolCallCommand(Pool: 1, Kind: PoolCallKind.Realloc, Block: 1, Size: 0));
        Assert.Null(failure);
    }

    /// <summary>
    /// Also a bug of the misuse check (run ce4614): the same id reuse, with a malloc that the live pool refuses for
    /// lack of room (and counts): legal, so not held to "misuse changes nothing".
    /// </summary>
    [Fact]
    public void A_malloc_on_a_deleted_pool_whose_id_a_new_pool_reuses_may_be_refused_for_room_like_any_malloc()
    {
        string? failure = ModelBasedProperty.Replay(new RealPoolFactory(),
            new CreatePoolCommand(Pool: 1, Size: 4096, LockSpec: 0, AddressSpec: 0),
            new MallocCommand(Block: 1, Pool: 1, Size: 0),
            new PutModuleCommand(),
            new GetModuleCommand(KnownName: true),
            new CreatePoolCommand(Pool: 2, Size: 16384, LockSpec: 0, AddressSpec: 0),
            new MallocCommand(Block: 2, Pool: 2, Size: 13713),
            new DeletedPoolCallCommand(Pool: 1, Kind: PoolCallKind.Malloc, Block: 1, Size: 81));
        Assert.Null(failure);
    }

    /// <summary>
    /// Also a bug of the misuse check (run 2665d8): realloc in place gives the "freed" block's address back to a live
    /// block, so realloc of the old name is a legal realloc of the live one, which may run out of memory (and count it).
    /// </summary>
    [Fact]
    public void Realloc_of_a_freed_block_whose_address_a_live_block_took_back_is_a_legal_realloc_that_may_run_out_of_room()
    {
        string? failure = ModelBasedProperty.Replay(new RealPoolFactory(),
            new CreatePoolCommand(Pool: 1, Size: 16384, LockSpec: 0, AddressSpec: 0),
            new MallocCommand(Block: 1, Pool: 1, Size: 13569),
            new ReallocCommand(Block: 2, Pool: 1, Old: 0, Size: 0),
            new ReallocCommand(Block: 3, Pool: 1, Old: 2, Size: 1),
            new FreedPointerToReallocCommand(Pool: 1, Block: 2, Size: 225));
        Assert.Null(failure);
    }

    /// <summary>
    /// The counterexample that catches coalescing which loses a neighbour (<see cref="Faulty.CoalescingLosesNeighbour"/>):
    /// the freed large block merges with its free neighbours and the real allocator is pristine again.
    /// </summary>
    [Fact]
    public void Freeing_a_lone_large_block_merges_it_with_its_free_neighbours_and_leaves_the_pool_pristine()
    {
        string? failure = ModelBasedProperty.Replay(new RealPoolFactory(),
            new CreatePoolCommand(Pool: 1, Size: 16384, LockSpec: 0, AddressSpec: 0),
            new MallocCommand(Block: 1, Pool: 1, Size: 2049),
            new FreeCommand(Pool: 1, Block: 1));
        Assert.Null(failure);
    }

    /// <summary>The generated C# rebuilds exactly the commands it was generated from.</summary>
    [Fact]
    public void A_regression_test_lists_every_command_as_code()
    {
        Command[] commands =
        [
            new CreatePoolCommand(Pool: 7, Size: 65536, LockSpec: BeConstants.LazyLock, AddressSpec: BeConstants.BaseAddress),
            new MallocCommand(Block: 9, Pool: 7, Size: ulong.MaxValue),
            new ForeignFreeCommand(Pool: 7, Kind: ForeignPointer.OtherPoolBlock, Other: 9),
            new DeletedPoolCallCommand(Pool: 0, Kind: PoolCallKind.Free, Block: 9, Size: 3),
        ];
        IReadOnlyList<Command> renamed = FailureReport.Renumber(commands);
        string code = FailureReport.RegressionTest(renamed, "Example", keySeed: 0x0123_4567_89AB_CDEF);
        Assert.Contains("ModelBasedProperty.Replay(new RealPoolFactory(), keySeed: 0x0123456789abcdef,", code, StringComparison.Ordinal);
        Assert.Contains("new CreatePoolCommand(Pool: 1, Size: 65536, LockSpec: 1, AddressSpec: 2),", code, StringComparison.Ordinal);
        Assert.Contains("new MallocCommand(Block: 1, Pool: 1, Size: 18446744073709551615),", code, StringComparison.Ordinal);
        Assert.Contains("new ForeignFreeCommand(Pool: 1, Kind: ForeignPointer.OtherPoolBlock, Other: 1),", code, StringComparison.Ordinal);
        Assert.Contains("new DeletedPoolCallCommand(Pool: 0, Kind: PoolCallKind.Free, Block: 1, Size: 3));", code, StringComparison.Ordinal);
        Assert.Equal("b1 = malloc(p1, 18446744073709551615)", renamed[1].ToString());
    }
}
