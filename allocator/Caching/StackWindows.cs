using System.Runtime.CompilerServices;

namespace AreaMalloc.Caching;

/// <summary>
/// A pool's map from stack windows to magazines: how a call finds its thread's magazine without a thread-local read
/// (a <c>[ThreadStatic]</c> read is a call into the runtime's TLS resolver: measured, about 30% of a cached
/// malloc/free pair). A window is an aligned <see cref="WindowBytes"/> stretch of addresses. Thread stacks are separate
/// mappings, so a live thread's calls run in windows no other live thread's calls reach, but for a window that
/// straddles the deep end of one stack and the shallow end of the next.
/// <para>
/// Invariants: a slot is null or holds one window and a magazine of this pool; it is written only under the pool's
/// lock (<see cref="Bind"/>), with an immutable entry, so a reader sees a window and its magazine together. The map
/// only routes: a magazine is entered through <see cref="ThreadMagazine.TryEnter"/>, a compare-exchange that excludes
/// every other thread and every locked section, so a window that names another thread's magazine (a straddling window,
/// or the stack of an ended thread reused by a new one, which then takes that magazine over) costs at most a trip
/// through the lock, never a wrong result.
/// </para>
/// </summary>
internal sealed class StackWindows
{
    /// <summary>log2 of <see cref="WindowBytes"/>.</summary>
    public const int WindowLog2 = 18;

    /// <summary>The size of a window: 256 KiB, so a thread's calls run from one or a few windows.</summary>
    public const int WindowBytes = 1 << WindowLog2;

    /// <summary>How many slots the map has (a power of two).</summary>
    public const int SlotCount = 256;

    private Slots _slots;

    /// <summary>The magazine bound to the window of <paramref name="stackAddress"/>, or null (then the call takes the lock, which binds one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ThreadMagazine? Find(nuint stackAddress)
    {
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        nuint window = stackAddress >> WindowLog2;
        Entry? entry = _slots[SlotOf(window)];
        return entry is not null && entry.Window == window ? entry.Magazine : null;
    }

    /// <summary>
    /// Maps the window of <paramref name="stackAddress"/> to <paramref name="magazine"/>, replacing whatever its slot
    /// held (another window that hashes to the slot then finds nothing and binds again). Call under the pool's lock.
    /// </summary>
    public void Bind(nuint stackAddress, ThreadMagazine magazine)
    {
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        nuint window = stackAddress >> WindowLog2;
        Volatile.Write(ref _slots[SlotOf(window)], new Entry(window, magazine));
    }

    /// <summary>An address in the calling method's stack frame (where it is inlined: its caller's frame).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe nuint CurrentStackAddress()
    {
        byte marker = 0;
        return (nuint)(&marker);
    }

    /// <summary>The slot of a window: its low bits, so the windows of 64 MiB of stacks fall in distinct slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SlotOf(nuint window) => (int)(window & (SlotCount - 1));

    /// <summary>One remembered window, immutable so that a reader sees its window and magazine together.</summary>
    private sealed class Entry(nuint window, ThreadMagazine magazine)
    {
        public readonly nuint Window = window;
        public readonly ThreadMagazine Magazine = magazine;
    }

    [InlineArray(SlotCount)]
    private struct Slots
    {
        private Entry? _first;
    }
}
