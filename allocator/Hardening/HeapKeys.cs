using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace AreaMalloc.Hardening;

/// <summary>
/// A pool's secrets, drawn at random when the pool is made, and the three things computed from them:
/// <list type="bullet">
/// <item><b>check words</b> over a large block's boundary tag (<see cref="CheckWord"/>), so that a header written by
/// anything but the allocator (an overflow from the block before it) is found before it is followed;</item>
/// <item><b>encoded free-list links</b> (<see cref="Encode"/>/<see cref="Decode"/>), so that a link overwritten, or copied
/// from another slot, decodes to garbage that the validation of the link refuses;</item>
/// <item><b>slab seals</b> (<see cref="SlabSeal"/>), which key a slab header's magic to the pool and the slab's position;</item>
/// <item><b>the cache mark</b> (<see cref="CacheMark"/>), the word a block held by a thread magazine carries in its first
/// 8 bytes, so that a free of a block already cached is told from a free of a live block without a shared write.</item>
/// </list>
/// The mixes are as cheap as mimalloc's secure mode (xor, rotate, add, one or two multiplies): they stop accidental
/// damage and blind overwrites, not an attacker who can read the pool's metadata. The authoritative copy of the keys
/// lives in the managed <see cref="HeapGuard"/>, never only in the area, so a heap overflow cannot rewrite them.
/// </summary>
internal readonly struct HeapKeys
{
    /// <summary>Odd 64-bit constants (from the golden ratio and splitmix64): multiplying by them is a bijection that spreads bits upward.</summary>
    private const ulong MixA = 0x9E37_79B9_7F4A_7C15, MixB = 0xBF58_476D_1CE4_E5B9;

    /// <summary>The 32-bit golden-ratio constant that turns a slot's position into a per-slot key.</summary>
    private const uint SlotMix = 0x9E37_79B1;

    private readonly ulong _header;
    private readonly uint _linkXor, _linkAdd, _slab;
    private readonly int _linkRotate;

    /// <summary>Keys taken from <paramref name="random"/> (at least <see cref="SeedBytes"/> bytes).</summary>
    public HeapKeys(ReadOnlySpan<byte> random)
    {
        _header = BitConverter.ToUInt64(random);
        _linkXor = BitConverter.ToUInt32(random[8..]);
        _linkAdd = BitConverter.ToUInt32(random[12..]);
        _slab = BitConverter.ToUInt32(random[16..]);
        // A rotation of 1 to 31 bits: never 0, so the encoding is never a plain xor-and-add.
        _linkRotate = 1 + random[20] % 31;
    }

    /// <summary>How many random bytes the keys take.</summary>
    public const int SeedBytes = 21;

    /// <summary>
    /// The AppContext switch that gives every pool the same fixed keys instead of random ones (default off). Only for
    /// tests that must reproduce a run byte for byte: the Coyote replays compare the bytes a racing call wrote into an
    /// unmapped pool, and random keys would make the encoded words differ between a run and its replay. Fixed keys are
    /// known keys: never turn this on in production.
    /// </summary>
    public const string FixedKeysSwitch = "AreaMalloc.Hardening.FixedKeys";

    private static readonly bool s_fixed = AppContext.TryGetSwitch(FixedKeysSwitch, out bool on) && on;

    /// <summary>The keys for a new pool: fresh random keys, or the fixed test keys when <see cref="FixedKeysSwitch"/> is on.</summary>
    public static HeapKeys ForNewPool() => ForNewPool(s_fixed);

    /// <summary>The fixed test keys when <paramref name="fixedKeys"/>, else fresh random keys (<see cref="ForNewPool()"/> with the switch's value).</summary>
    internal static HeapKeys ForNewPool(bool fixedKeys) => fixedKeys ? new HeapKeys(FixedSeed) : Random();

    /// <summary>The seed of the fixed test keys (<see cref="FixedKeysSwitch"/>).</summary>
    internal static ReadOnlySpan<byte> FixedSeed => "AREAMALLOC-TEST-KEYS!"u8;

    /// <summary>The link encoding's rotation in bits: 1 to 31, never a multiple of 32 (which would leave the link unrotated).</summary>
    internal int LinkRotation => _linkRotate;

    /// <summary>Fresh keys from the operating system's cryptographic random source.</summary>
    public static HeapKeys Random()
    {
        Span<byte> seed = stackalloc byte[SeedBytes];
        RandomNumberGenerator.Fill(seed);
        return new HeapKeys(seed);
    }

    /// <summary>
    /// The word a thread magazine writes over the first 8 bytes of every block it holds: derived from the header key, so
    /// it is the pool's own, fixed under <see cref="FixedKeysSwitch"/>, and held by a live block's first bytes only by
    /// chance (about 2^-64). Never 0, the word a block leaves a magazine with.
    /// </summary>
    // Stryker disable once all : any odd word serves as the cache mark (docs/MUTATION.md#any-cache-mark)
    public ulong CacheMark => (BitOperations.RotateLeft(_header * MixB, 29) ^ MixA) | 1;

    /// <summary>
    /// The check word of the boundary tag at <paramref name="offset"/> holding (<paramref name="size"/>,
    /// <paramref name="prevSize"/>, <paramref name="flags"/>). Any change to a field, or the same fields at another
    /// offset, gives another word except with probability about 2^-32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint CheckWord(ulong offset, uint size, uint prevSize, uint flags)
    {
        ulong x = (((ulong)size << 32) | prevSize) ^ _header;
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        x ^= ((((ulong)flags << 32) | (uint)(offset >> 4)) + _header) * MixA;
        x *= MixB;
        // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
        return (uint)(x ^ (x >> 32));
    }

    /// <summary>A free-list link (a granule index, 0 for none) as stored at byte offset <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Encode(uint link, ulong slot) => BitOperations.RotateLeft(link ^ _linkXor ^ SlotKey(slot), _linkRotate) + _linkAdd;

    /// <summary>The link stored as <paramref name="stored"/> at byte offset <paramref name="slot"/>: the inverse of <see cref="Encode"/> there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Decode(uint stored, ulong slot) => BitOperations.RotateRight(stored - _linkAdd, _linkRotate) ^ _linkXor ^ SlotKey(slot);

    /// <summary>The value a slab header's magic is xored with, for the slab block at granule index <paramref name="slab"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint SlabSeal(uint slab) => _slab ^ (slab * SlotMix);

    // Stryker disable once Bitwise : unsigned shift (docs/MUTATION.md#unsigned-shift)
    private static uint SlotKey(ulong slot) => (uint)(slot >> 2) * SlotMix;
}
