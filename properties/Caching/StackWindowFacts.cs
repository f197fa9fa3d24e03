using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AreaMalloc.Pool;
using AreaMalloc.Caching;
using AreaMalloc.Properties.Support;
using AreaMalloc.TestKit.Waiting;

namespace AreaMalloc.Properties.Caching;

/// <summary>
/// The laws of the map from stack windows to magazines (<see cref="StackWindows"/>), by which a caching pool's calls
/// find their magazine without a thread-local read: a window finds what was bound to it and nothing else, a slot holds
/// one window, and a thread's calls from any depth of its stack reach the same magazine.
/// </summary>
public sealed class StackWindowFacts
{
    /// <summary>A stack-like address at the start of a window, far from any real stack.</summary>
    private static readonly nuint SomeWindowStart = unchecked((nuint)0x7f00_0000_0000UL);

    [Fact]
    public void A_new_magazine_is_stopped_so_no_fast_path_enters_it_before_the_locked_section_that_made_it_resumes_it()
    {
        var magazine = new ThreadMagazine();
        Assert.False(magazine.TryEnter(), "a fast path entered a magazine that its locked section has not resumed");
        magazine.Resume();
        Assert.True(magazine.TryEnter(), "a fast path could not enter a resumed, idle magazine");
        Assert.False(magazine.TryEnter(), "a second fast path entered a magazine that is busy");
        magazine.Exit();
    }

    [Fact]
    public void A_window_finds_nothing_until_a_magazine_is_bound_to_it_then_every_address_of_it_finds_that_magazine()
    {
        var windows = new StackWindows();
        ThreadMagazine magazine = new();
        Assert.Null(windows.Find(SomeWindowStart));
        windows.Bind(SomeWindowStart + 100, magazine);
        Assert.Same(magazine, windows.Find(SomeWindowStart));
        Assert.Same(magazine, windows.Find(SomeWindowStart + StackWindows.WindowBytes - 1));
        Assert.Null(windows.Find(SomeWindowStart - 1));
        Assert.Null(windows.Find(SomeWindowStart + StackWindows.WindowBytes));
    }

    [Fact]
    public void Each_window_finds_its_own_magazine_and_a_window_that_shares_a_slot_replaces_the_one_bound_there()
    {
        var windows = new StackWindows();
        ThreadMagazine first = new(), next = new(), sameSlot = new();
        nuint nextWindow = SomeWindowStart + StackWindows.WindowBytes;
        nuint sameSlotWindow = SomeWindowStart + (nuint)StackWindows.SlotCount * StackWindows.WindowBytes;
        windows.Bind(SomeWindowStart, first);
        windows.Bind(nextWindow, next);
        Assert.Same(first, windows.Find(SomeWindowStart));
        Assert.Same(next, windows.Find(nextWindow));
        windows.Bind(sameSlotWindow, sameSlot);
        Assert.Same(sameSlot, windows.Find(sameSlotWindow));
        Assert.Null(windows.Find(SomeWindowStart));
        Assert.Same(next, windows.Find(nextWindow));
    }

    [Fact]
    public void A_threads_calls_from_a_deeper_window_of_its_stack_reach_the_magazine_its_shallow_calls_filled()
    {
        PoolAllocator pool = PoolFixture.NewCachingPool();
        nint freedShallow = 0, takenDeep = 0;
        int cachedAfterFree = 0;
        var thread = new Thread(() =>
        {
            freedShallow = pool.Malloc(64);
            pool.Free(freedShallow);
            cachedAfterFree = pool.CachedBlocks;
            takenDeep = MallocFromDeeperWindow(pool, 64);
        }, maxStackSize: 4 << 20);
        thread.Start();
        Bounded.Join(thread, "the thread that takes a block from a deeper stack window", Bounded.LockOf(pool));
        Assert.True(takenDeep == freedShallow,
            $"a malloc two windows deeper pops the block the thread freed last: expected 0x{freedShallow:x}; actual 0x{takenDeep:x}");
        Assert.True(pool.CachedBlocks == cachedAfterFree - 1,
            $"the deep malloc took its block from the same magazine: expected {cachedAfterFree - 1} cached; actual {pool.CachedBlocks}");
        PoolFixture.AssertCountsThenDelete(pool, live: 1, refused: 0);
    }

    [Fact]
    public void Two_threads_whose_windows_name_one_magazine_use_it_in_turn_and_never_hold_one_block_at_once()
    {
        const int Rounds = 4_000;
        PoolAllocator pool = PoolFixture.NewCachingPool(4 << 20);
        ThreadMagazine? shared = null;
        nint freedByOwner = 0, takenByGuest = 0;
        var held = new ConcurrentDictionary<nint, int>();
        var failures = new ConcurrentQueue<string>();
        using var ownerReady = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        var owner = new Thread(() =>
        {
            freedByOwner = pool.Malloc(64);
            pool.Free(freedByOwner);
            shared = pool.CurrentThreadMagazine;
            ownerReady.Set();
            Bounded.Wait(go, "the go signal");
            MallocFreeRounds(pool, identity: 1, Rounds, held, failures);
        });
        var guest = new Thread(() =>
        {
            Bounded.Wait(ownerReady, "the owner thread's first free", Bounded.LockOf(pool));
            // The window of this frame and the one below it, where malloc's own frame may lie.
            nuint here = StackWindows.CurrentStackAddress();
            pool.BindWindow(here, shared!);
            pool.BindWindow(here - StackWindows.WindowBytes, shared!);
            takenByGuest = pool.Malloc(64);
            pool.Free(takenByGuest);
            go.Set();
            MallocFreeRounds(pool, identity: 2, Rounds, held, failures);
        });
        owner.Start();
        guest.Start();
        Bounded.JoinAll([owner, guest], "the owner and guest threads sharing a magazine", Bounded.LockOf(pool));
        Assert.True(shared is not null, "the owner thread has no magazine after a malloc/free pair");
        Assert.True(takenByGuest == freedByOwner,
            $"the guest's first malloc pops the block the owner cached last: expected 0x{freedByOwner:x}; actual 0x{takenByGuest:x}");
        Assert.True(failures.IsEmpty, string.Join("; ", failures.Take(5)));
        PoolFixture.AssertCountsThenDelete(pool, live: 0, refused: 0);
    }

    /// <summary>Malloc, fill, check and free 64 bytes <paramref name="rounds"/> times, recording a block held twice at once, damage or a refused free.</summary>
    private static void MallocFreeRounds(PoolAllocator pool, int identity, int rounds, ConcurrentDictionary<nint, int> held, ConcurrentQueue<string> failures)
    {
        for (int i = 0; i < rounds && failures.IsEmpty; i++)
        {
            nint block = pool.Malloc(64);
            if (block == 0 || !held.TryAdd(block, identity))
            {
                failures.Enqueue($"thread {identity}, round {i}: malloc gave 0x{block:x}, {(block == 0 ? "NULL" : $"held by thread {held.GetValueOrDefault(block)} at the same time")}");
                return;
            }
            long pattern = identity * (long)rounds + i;
            PoolFixture.Fill(block, 64, pattern);
            string? damage = PoolFixture.FindDamage(block, 64, pattern);
            held.TryRemove(block, out _);
            BlockCheck freed = pool.Free(block);
            if (damage is not null || freed != BlockCheck.Live)
                failures.Enqueue($"thread {identity}, round {i}: block 0x{block:x} {damage ?? "intact"}, free {freed}");
        }
    }

    /// <summary>malloc called with at least two windows of stack between this frame and the call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint MallocFromDeeperWindow(PoolAllocator pool, nuint size)
    {
        Span<byte> gap = stackalloc byte[2 * StackWindows.WindowBytes];
        gap[^1] = 1;
        nint block = pool.Malloc(size);
        return gap[^1] == 1 ? block : 0;
    }
}
