using System.Runtime.CompilerServices;

namespace AreaMalloc.Caching;

/// <summary>
/// The claim word of a caching pool: every block a magazine holds carries the pool's cache mark
/// (<see cref="Hardening.HeapKeys.CacheMark"/>) in its first 8 bytes. A cached block stays live in the live map, so
/// the mark, not a live bit, tells a fast free that a block is cached already: the fast paths never write the live
/// map, whose words other threads' blocks share. The word is the block's own, so a claim contends only where the
/// program races on the block.
/// </summary>
internal readonly unsafe struct CacheMark
{
    private readonly byte* _base;
    private readonly ulong _word;

    /// <summary>The mark <paramref name="word"/> (never 0) of the pool whose area starts at <paramref name="areaBase"/>.</summary>
    public CacheMark(byte* areaBase, ulong word)
    {
        _base = areaBase;
        _word = word;
    }

    /// <summary>The word itself.</summary>
    public ulong Word => _word;

    /// <summary>
    /// The claim of a fast path on the live, unmarked block at <paramref name="offset"/>: writes the mark over its first
    /// 8 bytes with a compare-exchange from what they held, and says whether it did. Of the threads freeing one block
    /// at once exactly one succeeds: the others read the mark, or fail the exchange.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryClaim(ulong offset)
    {
        ref ulong word = ref FirstWord(offset);
        ulong held = Volatile.Read(ref word);
        return held != _word && Interlocked.CompareExchange(ref word, _word, held) == held;
    }

    /// <summary>A block the magazine owns alone enters it: its first word carries the mark. Call inside the magazine, or quiesced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(ulong offset) => FirstWord(offset) = _word;

    /// <summary>A block leaves a magazine (handed out): its first word no longer carries the mark. Call inside the magazine, or quiesced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(ulong offset) => FirstWord(offset) = 0;

    /// <summary>Whether the block at <paramref name="offset"/> carries the mark (it may be cached; a live block holds the mark only by chance).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(ulong offset) => Volatile.Read(ref FirstWord(offset)) == _word;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong FirstWord(ulong offset) => ref *(ulong*)(_base + offset);
}
