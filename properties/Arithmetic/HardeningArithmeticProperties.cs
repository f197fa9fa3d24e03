using AreaMalloc.Hardening;
using AreaMalloc.Properties.Infrastructure;
using AreaMalloc.Slabs;
using FsCheck;
using FsCheck.Fluent;

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
}
