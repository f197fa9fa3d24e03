using AreaMalloc.Models;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.Slabs;

namespace AreaMalloc.TestKit.Fuzzing;

/// <summary>
/// Decodes a fuzzer's input bytes, deterministically, into a command sequence for the model-based driver: at most
/// <see cref="MaxCommands"/> commands, each valid in the generator's state (its precondition holds), with sizes
/// from the distributions of <see cref="ModelBased.Sizes"/>. Each command reads a few bytes (an opcode, then its
/// arguments); missing bytes read as 0, so every input decodes. Small mutations of the input change few commands,
/// which is what a coverage-guided fuzzer needs.
/// </summary>
public sealed class CommandDecoder
{
    /// <summary>The longest sequence an input decodes to.</summary>
    public const int MaxCommands = 64;

    private readonly byte[] input;
    private int at;

    private CommandDecoder(byte[] input) => this.input = input;

    /// <summary>The command sequence <paramref name="input"/> stands for.</summary>
    /// <param name="input">Any bytes.</param>
    /// <returns>Up to <see cref="MaxCommands"/> commands, valid in sequence from <see cref="GenState.Initial"/>.</returns>
    public static IReadOnlyList<Command> Decode(ReadOnlySpan<byte> input)
    {
        var decoder = new CommandDecoder(input.ToArray());
        var commands = new List<Command>();
        GenState s = GenState.Initial;
        while (decoder.at < decoder.input.Length && commands.Count < MaxCommands)
        {
            Command? c = decoder.Next(s);
            if (c is not null && c.Pre(s))
            {
                commands.Add(c);
                s = c.Apply(s);
            }
        }

        return commands;
    }

    private byte B() => at < input.Length ? input[at++] : (byte)0;

    private int U16() => B() | (B() << 8);

    private static T Pick<T>(IReadOnlyList<T> items, byte b) => items[b % items.Count];

    private Command? Next(GenState s)
    {
        int sym = s.NextSym;
        byte op = B();
        if (s.ModuleUsers == 0)
        {
            return op % 8 == 7 ? new PutModuleCommand() : new GetModuleCommand(op % 8 != 6);
        }

        GenPool[] live = s.LivePools.ToArray();
        GenBlock[] blocks = s.Blocks.Values.Where(b => b.Live).ToArray();
        GenBlock[] freed = s.FreedBlocks.ToArray();
        if (live.Length == 0 && op % 16 != 15)
        {
            return CreatePool(sym);
        }

        switch (op % 16)
        {
            case 0 or 1 or 2 or 3 or 4:
                {
                    GenPool p = Pick(live, B());
                    return new MallocCommand(sym, p.Sym, Size(p));
                }

            case 5:
                {
                    GenPool p = Pick(live, B());
                    ulong count = (ulong)(B() % 9);
                    ulong n = Size(p);
                    return new CallocCommand(sym, p.Sym, count, count == 0 ? n : n / count);
                }

            case 6:
                {
                    GenPool p = Pick(live, B());
                    return new ReallocCommand(sym, p.Sym, 0, Size(p));
                }

            case 7 or 8 or 9:
                if (blocks.Length == 0)
                {
                    return new FreeCommand(Pick(live, B()).Sym, 0);
                }

                GenBlock f = Pick(blocks, B());
                return new FreeCommand(f.Pool, f.Sym);
            case 10 or 11:
                {
                    if (blocks.Length == 0)
                    {
                        return null;
                    }

                    GenBlock b = Pick(blocks, B());
                    byte z = B();
                    return new ReallocCommand(sym, b.Pool, b.Sym, z == 0xFF ? 0 : Size(s.Pools[b.Pool]));
                }

            case 12:
                return live.Length < GenState.MaxLivePools ? CreatePool(sym) : null;
            case 13:
                return new DeletePoolCommand(Pick(live, B()).Sym);
            case 14:
                {
                    GenPool p = Pick(live, B());
                    return (B() & 1) == 0 ? new TrimCommand(p.Sym) : new DrainCommand(p.Sym);
                }

            default:
                return Misuse(s, sym, live, blocks, freed);
        }
    }

    private CreatePoolCommand CreatePool(int sym)
    {
        byte b = B();
        ulong size = Pick(CreatePoolCommand.Sizes, (byte)(b & 7));
        uint lockSpec = (b & 0x08) != 0 && (b & 0x10) != 0 ? BeConstants.LazyLock : BeConstants.NoLock;
        uint address = ((b >> 5) % 4) switch
        {
            0 => BeConstants.AnyAddress,
            1 => BeConstants.BaseAddress,
            2 => BeConstants.AnyKernelAddress,
            _ => BeConstants.AnyKernelBlockAddress,
        };
        return new CreatePoolCommand(sym, size, lockSpec, address);
    }

    /// <summary>Small 4, slab boundary 3, large 2, huge 1 (as the generator weighs them).</summary>
    private ulong Size(GenPool p)
    {
        byte kind = B();
        switch (kind % 10)
        {
            case < 4:
                return (ulong)(B() % 257);
            case < 7:
                return (ulong)(SizeClasses.SizeOf(B() % SizeClasses.Count) + (B() % 3) - 1);
            case < 9:
                return (ulong)(SizeClasses.MaxSmallSize + 1 + (U16() % ((64 * 1024) - SizeClasses.MaxSmallSize)));
            default:
                ulong max = Math.Min(p.MaxSingleRequest, int.MaxValue - 1);
                return (B() % 4) switch
                {
                    0 => max,
                    1 => max > 16 ? max - 16 : 0,
                    2 => (max / 4) + ((max - (max / 4)) * (ulong)B() / 255),
                    _ => max + 1,
                };
        }
    }

    private Command? Misuse(GenState s, int sym, GenPool[] live, GenBlock[] blocks, GenBlock[] freed)
    {
        byte kind = B();
        switch (kind % 10)
        {
            case 0:
                return new GetModuleCommand(s.ModuleUsers < 3 && (kind & 0x80) == 0);
            case 1:
                return new PutModuleCommand();
            case 2:
                return new InvalidCreatePoolCommand(Pick(Enum.GetValues<InvalidPoolKind>(), B()));
            case 3:
                {
                    int[] pools = s.DeletedPools.Select(p => p.Sym).Append(0).ToArray();
                    int[] syms = s.Blocks.Keys.Append(0).ToArray();
                    return new DeletedPoolCallCommand(Pick(pools, B()), Pick(Enum.GetValues<PoolCallKind>(), B()), Pick(syms, B()), (ulong)(B() % 257));
                }
        }

        if (live.Length == 0)
        {
            return null;
        }

        GenPool p = Pick(live, B());
        switch (kind % 10)
        {
            case 4:
                return new ImpossibleSizeCommand(p.Sym, p.Size + (ulong)U16());
            case 5:
                ulong c = (ulong)Math.Max(2, U16());
                return new CallocOverflowCommand(p.Sym, c, (ulong.MaxValue / c) + 1);
            case 6:
                {
                    ForeignPointer fk = Pick(Enum.GetValues<ForeignPointer>(), B());
                    int[] others = s.Blocks.Values.Where(b => b.Live && b.Pool != p.Sym).Select(b => b.Sym).ToArray();
                    return fk == ForeignPointer.OtherPoolBlock
                        ? others.Length == 0 ? new ForeignFreeCommand(p.Sym, ForeignPointer.NativeHeap) : new ForeignFreeCommand(p.Sym, fk, Pick(others, B()))
                        : new ForeignFreeCommand(p.Sym, fk);
                }

            case 7:
                if (blocks.Length == 0)
                {
                    return null;
                }

                GenBlock b = Pick(blocks, B());
                return new InteriorFreeCommand(b.Pool, b.Sym, (ulong)(1 + (B() % (int)(Math.Clamp(b.Requested, 2, 4096) - 1))));
            default:
                if (freed.Length == 0)
                {
                    return null;
                }

                GenBlock g = Pick(freed, B());
                int pool = s.IsLivePool(g.Pool) ? g.Pool : p.Sym;
                return kind % 10 == 8 ? new DoubleFreeCommand(pool, g.Sym) : new FreedPointerToReallocCommand(pool, g.Sym, (ulong)(B() % 257));
        }
    }
}
