using AreaMalloc.Pool;
using AreaMalloc.Hardening;
using AreaMalloc.Properties.Infrastructure;
using AreaMalloc.Slabs;
using FsCheck;
using FsCheck.Fluent;
using AreaMalloc.Format;

namespace AreaMalloc.Properties.Arithmetic;

/// <summary>The arithmetic of hardening: link encoding, check words, slab seals, and the division-free object-start test.</summary>
public sealed class HardeningArithmeticProperties
{
    private static Gen<byte[]> SeedGen { get; } = Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), HeapKeys.SeedBytes);

    private static Gen<ulong> SlotGen { get; } = Gen.Choose(0, int.MaxValue).Select(g => (ulong)g << 4);

    private static Gen<uint> Word { get; } = ArbMap.Default.GeneratorFor<uint>();

    private static Arbitrary<byte[]> Seeds { get; } = Arb.From(SeedGen);

    private static Arbitrary<ulong> Slots { get; } = Arb.From(SlotGen);

    private static Arbitrary<(byte[] Seed, uint Link, ulong Slot, ulong Other)> Links { get; } = Arb.From(
        from seed in SeedGen from link in Word from slot in SlotGen from other in Gen.OneOf(SlotGen, Gen.Constant(0UL)) select (seed, link, slot, other));

    private static Arbitrary<(byte[] Seed, uint Size, uint Prev, uint Flags, ulong Offset, int Bit)> Headers { get; } = Arb.From(
        from seed in SeedGen from size in Word from prev in Word from flags in Word from offset in SlotGen from bit in Gen.Choose(0, 4 * 32 - 1)
        select (seed, size, prev, flags, offset, bit));

    [BudgetedProperty]
    public Property Decoding_an_encoded_link_at_its_own_slot_gives_it_back() =>
        Prop.ForAll(Links, c =>
        {
            var keys = new HeapKeys(c.Seed);
            uint decoded = keys.Decode(keys.Encode(c.Link, c.Slot), c.Slot);
            Assert.True(decoded == c.Link, $"link 0x{c.Link:x} at slot 0x{c.Slot:x} decoded to 0x{decoded:x}");
        });

    [BudgetedProperty]
    public Property A_link_copied_to_another_slot_decodes_to_something_else() =>
        Prop.ForAll(Links, c =>
        {
            var keys = new HeapKeys(c.Seed);
            bool same = (uint)(c.Slot >> 2) == (uint)(c.Other >> 2);
            Assert.True(same == (keys.Decode(keys.Encode(c.Link, c.Slot), c.Other) == c.Link), $"link 0x{c.Link:x} from slot 0x{c.Slot:x} read at 0x{c.Other:x}");
        });

    [BudgetedProperty]
    public Property Zero_is_not_stored_as_zero_under_most_keys() =>
        Prop.ForAll(Seeds, Slots, (seed, slot) => new HeapKeys(seed).Encode(0, slot) != 0 || seed.All(b => b == 0));

    /// <summary>The check word changes when any one bit of any field, or the header's offset, changes (a 2^-32 miss is allowed for, never seen).</summary>
    [BudgetedProperty]
    public Property Changing_any_bit_of_a_header_or_its_offset_changes_the_check_word() =>
        Prop.ForAll(Headers, h =>
        {
            (byte[] seed, uint size, uint prev, uint flags, ulong offset, int bit) = h;
            var keys = new HeapKeys(seed);
            uint word = keys.CheckWord(offset, size, prev, flags);
            uint flip = 1u << (bit % 32);
            uint changed = (bit / 32) switch
            {
                0 => keys.CheckWord(offset, size ^ flip, prev, flags),
                1 => keys.CheckWord(offset, size, prev ^ flip, flags),
                2 => keys.CheckWord(offset, size, prev, flags ^ flip),
                _ => keys.CheckWord(offset ^ ((ulong)flip << 4), size, prev, flags),
            };
            Assert.True(changed != word, $"flipping bit {bit % 32} of field {bit / 32} left the check word 0x{word:x8}");
        });

    [BudgetedProperty]
    public Property Check_words_and_slab_seals_depend_on_the_keys() =>
        Prop.ForAll(Seeds, Seeds, Slots, (a, b, offset) =>
        {
            var ka = new HeapKeys(a);
            var kb = new HeapKeys(b);
            bool sameKeys = a.AsSpan().SequenceEqual(b);
            Assert.True(sameKeys || ka.CheckWord(offset, 100, 50, 0xB10C_0001) != kb.CheckWord(offset, 100, 50, 0xB10C_0001)
                || ka.SlabSeal((uint)(offset >> 4)) != kb.SlabSeal((uint)(offset >> 4)), "two key sets gave the same check word and seal");
        });

    [Fact]
    public void Keys_from_the_random_source_differ_each_time()
    {
        HeapKeys a = HeapKeys.Random(), b = HeapKeys.Random();
        Assert.NotEqual(a.CheckWord(0x4000, 64, 0, 0xB10C_0000), b.CheckWord(0x4000, 64, 0, 0xB10C_0000));
    }

    [Fact]
    public void The_object_start_test_agrees_with_the_remainder_for_every_class_and_offset_in_a_slab()
    {
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            int size = SizeClasses.SizeOf(c);
            for (ulong offset = 0; offset < 16 * 4096; offset++)
            {
                if (SizeClasses.IsMultipleOfSize(offset, c) != (offset % (ulong)size == 0))
                    Assert.Fail($"class {c} ({size} bytes): IsMultipleOfSize({offset}) is {!(offset % (ulong)size == 0)}");
            }
            Assert.False(SizeClasses.IsMultipleOfSize(uint.MaxValue, c) && uint.MaxValue % (uint)size != 0, $"class {c} at 2^32 - 1");
        }
    }

    [Fact]
    public void Poison_scans_find_the_first_changed_byte_across_chunks()
    {
        byte[] buffer = new byte[5000];
        Array.Fill(buffer, PoisonFill.Byte);
        unsafe
        {
            fixed (byte* p = buffer)
            {
                Assert.Equal(-1, PoisonFill.FirstBreak(p, 5000));
                Assert.Equal(-1, PoisonFill.FirstBreak(p, 0));
                buffer[4321] = 0;
                Assert.Equal(4321, PoisonFill.FirstBreak(p, 5000));
                PoisonFill.Fill(p, 4322);
                Assert.Equal(-1, PoisonFill.FirstBreak(p, 5000));
            }
        }
    }

    [Fact]
    public void Poison_scans_in_chunks_find_the_first_changed_byte_of_the_range_and_nothing_outside_it()
    {
        // Every chunk size from 1 to 17 over every range length up to 70, with the changed byte at every position (or
        // none): the scan crosses chunk boundaries, and the bytes just outside the range (not poison) must never count.
        const int Guard = 32;
        byte[] buffer = new byte[Guard + 70 + Guard];
        unsafe
        {
            fixed (byte* p = buffer)
            {
                for (ulong chunk = 1; chunk <= 17; chunk++)
                {
                    for (int length = 0; length <= 70; length++)
                    {
                        for (int broken = -1; broken < length; broken++)
                        {
                            Array.Fill(buffer, (byte)0);
                            Array.Fill(buffer, PoisonFill.Byte, Guard, length);
                            if (broken >= 0)
                                buffer[Guard + broken] = 0x42;
                            long found = PoisonFill.FirstBreak(p + Guard, (ulong)length, chunk);
                            Assert.True(found == broken,
                                $"chunk {chunk}, length {length}, changed byte at {broken}: expected {broken}, actual {found}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void The_link_rotation_is_never_a_multiple_of_32_whatever_the_random_byte()
    {
        // A rotation by 0 (mod 32) would leave every link a plain xor-and-add of the keys.
        byte[] seed = new byte[HeapKeys.SeedBytes];
        for (int b = 0; b < 256; b++)
        {
            seed[20] = (byte)b;
            int rotation = new HeapKeys(seed).LinkRotation;
            Assert.True(rotation is >= 1 and <= 31, $"random byte {b}: expected a rotation of 1 to 31 bits, actual {rotation}");
        }
    }

    [Fact]
    public void Fixed_test_keys_are_the_same_for_every_pool_and_random_keys_differ()
    {
        HeapKeys a = HeapKeys.ForNewPool(fixedKeys: true), b = HeapKeys.ForNewPool(fixedKeys: true), known = new(HeapKeys.FixedSeed);
        Assert.Equal(known.CheckWord(0x1230, 5, 3, 0x51), a.CheckWord(0x1230, 5, 3, 0x51));
        Assert.Equal(a.CheckWord(0x1230, 5, 3, 0x51), b.CheckWord(0x1230, 5, 3, 0x51));
        Assert.Equal(a.Encode(0x42, 0x1240), b.Encode(0x42, 0x1240));
        HeapKeys r1 = HeapKeys.ForNewPool(fixedKeys: false), r2 = HeapKeys.ForNewPool(fixedKeys: false);
        // Two draws of 168 random bits agree on both words with probability about 2^-64.
        Assert.False(r1.CheckWord(0x1230, 5, 3, 0x51) == r2.CheckWord(0x1230, 5, 3, 0x51) && r1.Encode(0x42, 0x1240) == r2.Encode(0x42, 0x1240),
            "two pools drew the same random keys");
        Assert.False(r1.CheckWord(0x1230, 5, 3, 0x51) == a.CheckWord(0x1230, 5, 3, 0x51) && r1.Encode(0x42, 0x1240) == a.Encode(0x42, 0x1240),
            "random keys equal the fixed test keys");
    }

    /// <summary>
    /// Test vectors of the mixes under the fixed test keys, computed independently of this code from the definitions in
    /// HeapKeys's comments (a 64-bit xor-multiply check word folded to 32 bits; rotate-xor-add link encoding keyed by the
    /// slot; a golden-ratio slab seal). A change to a mix must be deliberate: its detection rates were argued for these.
    /// </summary>
    [Theory]
    [InlineData(0x1230UL, 5u, 3u, 0x51u, 0x9dc9da57u)]
    [InlineData(0UL, 0u, 0u, 0u, 0xd6bdabdau)]
    [InlineData(0xFFFF0UL, 0xFFFFFFFFu, 0x12345678u, 0xA0000003u, 0xc357d53bu)]
    public void Check_words_under_the_fixed_keys_match_their_test_vectors(ulong offset, uint size, uint prev, uint flags, uint expected)
    {
        uint actual = new HeapKeys(HeapKeys.FixedSeed).CheckWord(offset, size, prev, flags);
        Assert.True(actual == expected, $"check word of (0x{offset:x}, {size}, {prev}, 0x{flags:x}): expected 0x{expected:x8}, actual 0x{actual:x8}");
    }

    [Theory]
    [InlineData(0x42u, 0x1240UL, 0x7707f831u)]
    [InlineData(0u, 0UL, 0xcebe6dbfu)]
    [InlineData(0xFFFFFFFFu, 0x7FFFFFF0UL, 0x94d97fa5u)]
    public void Encoded_links_under_the_fixed_keys_match_their_test_vectors(uint link, ulong slot, uint expected)
    {
        uint actual = new HeapKeys(HeapKeys.FixedSeed).Encode(link, slot);
        Assert.True(actual == expected, $"link 0x{link:x} at slot 0x{slot:x}: expected 0x{expected:x8}, actual 0x{actual:x8}");
    }

    [Theory]
    [InlineData(0x123u, 0x8a561178u)]
    [InlineData(0u, 0x5359454bu)]
    [InlineData(0xFFFFFFFFu, 0x3291c304u)]
    public void Slab_seals_under_the_fixed_keys_match_their_test_vectors(uint slab, uint expected)
    {
        uint actual = new HeapKeys(HeapKeys.FixedSeed).SlabSeal(slab);
        Assert.True(actual == expected, $"seal of slab 0x{slab:x}: expected 0x{expected:x8}, actual 0x{actual:x8}");
    }

    [Fact]
    public void The_guard_keeps_the_first_damage_and_counts_every_one()
    {
        var guard = new HeapGuard(new HeapKeys(HeapKeys.FixedSeed), poison: true, heapStart: 0x1000, heapEnd: 0x9000);
        guard.Report(DamageKind.BlockHeader, 0x1230, "first");
        guard.Report(DamageKind.FreeListLink, 0x2000, "second");
        guard.Report(DamageKind.UseAfterFreeWrite, 0x3000, "third");
        Assert.Equal(new PoolDamage(DamageKind.BlockHeader, 0x1230, "first"), guard.FirstDamage);
        Assert.Equal(2, guard.Corruptions);
        Assert.Equal(1, guard.UseAfterFreeWrites);
        Assert.True(guard.Damaged);
    }
}
