using AreaMalloc.Hardening;

namespace AreaMalloc.TestKit.ModelBased.UnderTest;

/// <summary>
/// Deterministic hardening keys for the pools of one module: the n-th pool created gets the n-th keys of a splitmix64
/// stream started at the seed. Invariant: the same seed and the same order of create_pool calls give every pool the same
/// keys, so a sequence replayed with its seed writes the same encoded links and check words, byte for byte, as the run
/// that found it (a fault whose symptom is key-dependent residue, such as a calloc that does not zero, then fails or
/// passes the same way on every replay). Different seeds give unrelated keys, so the property still sees many keys.
/// </summary>
/// <param name="seed">The stream's seed (the model-based property generates one per sequence).</param>
internal sealed class PoolKeyStream(ulong seed)
{
    private readonly object gate = new();
    private ulong state = seed;

    /// <summary>The next pool's keys (thread-safe; only single-threaded use is deterministic).</summary>
    /// <returns>Keys drawn from the next <see cref="HeapKeys.SeedBytes"/> bytes of the stream.</returns>
    internal HeapKeys Next()
    {
        Span<byte> bytes = stackalloc byte[(HeapKeys.SeedBytes + 7) / 8 * 8];
        lock (gate)
        {
            for (int i = 0; i < bytes.Length; i += 8)
            {
                BitConverter.TryWriteBytes(bytes[i..], SplitMix64(ref state));
            }
        }

        return new HeapKeys(bytes);
    }

    /// <summary>Steele, Lea and Flood's splitmix64: a bijective mix of a Weyl sequence, every output a full 64 bits.</summary>
    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }
}
