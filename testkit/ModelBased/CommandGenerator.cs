using AreaMalloc.Models;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.Slabs;
using FsCheck;
using FsCheck.Fluent;

namespace AreaMalloc.TestKit.ModelBased;

/// <summary>
/// Chooses the next command from the generator's state: mostly allocations and frees on 1 to 3 live pools,
/// some pool and module life-cycle, and about one command in eight a misuse. Weights are relative.
/// </summary>
public static class CommandGenerator
{
    /// <summary>The next command for <paramref name="s"/>; its precondition holds.</summary>
    /// <param name="s">The generator's state.</param>
    /// <returns>The generator of the next command.</returns>
    public static Gen<Command> Next(GenState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        int sym = s.NextSym;
        var choices = new List<(int Weight, Gen<Command> Command)>();
        if (s.ModuleUsers == 0)
        {
            choices.Add((10, Always(new GetModuleCommand())));
            choices.Add((1, Always(new GetModuleCommand(KnownName: false))));
            choices.Add((1, Always(new PutModuleCommand())));
            return Gen.Frequency(choices);
        }

        List<GenPool> live = s.LivePools.ToList();
        List<GenBlock> liveBlocks = s.Blocks.Values.Where(b => b.Live).ToList();
        List<GenBlock> freed = s.FreedBlocks.ToList();
        if (live.Count < GenState.MaxLivePools)
        {
            choices.Add((live.Count == 0 ? 40 : 3, CreatePool(sym)));
        }

        choices.Add((1, s.ModuleUsers < 3 ? Always(new GetModuleCommand()) : Always(new GetModuleCommand(KnownName: false))));
        choices.Add((1, Always(new PutModuleCommand())));
        choices.Add((1, Gen.Elements(Enum.GetValues<InvalidPoolKind>()).Select(k => (Command)new InvalidCreatePoolCommand(k))));
        choices.Add((1, DeletedPoolCall(s)));
        if (live.Count == 0)
        {
            return Gen.Frequency(choices);
        }

        Gen<GenPool> pool = Gen.Elements(live.ToArray());
        choices.Add((20, from p in pool from n in Sizes.Request(p) select (Command)new MallocCommand(sym, p.Sym, n)));
        choices.Add((6, from p in pool from c in Gen.Choose(0, 8) from n in Sizes.Request(p)
                        select (Command)new CallocCommand(sym, p.Sym, (ulong)c, c == 0 ? n : n / (ulong)c)));
        choices.Add((2, from p in pool from n in Sizes.Request(p) select (Command)new ReallocCommand(sym, p.Sym, 0, n)));
        choices.Add((1, from p in pool select (Command)new FreeCommand(p.Sym, 0)));
        choices.Add((2, from p in pool select (Command)new TrimCommand(p.Sym)));
        choices.Add((2, from p in pool select (Command)new DrainCommand(p.Sym)));
        choices.Add((2, from p in pool select (Command)new DeletePoolCommand(p.Sym)));
        choices.Add((1, from p in pool from n in Sizes.Impossible(p) select (Command)new ImpossibleSizeCommand(p.Sym, n)));
        choices.Add((1, from p in pool from c in Gen.Choose(2, 1 << 16) select (Command)new CallocOverflowCommand(p.Sym, (ulong)c, (ulong.MaxValue / (ulong)c) + 1)));
        choices.Add((2, ForeignFree(s, pool)));
        if (liveBlocks.Count > 0)
        {
            Gen<GenBlock> block = Gen.Elements(liveBlocks.ToArray());
            choices.Add((16, from b in block select (Command)new FreeCommand(b.Pool, b.Sym)));
            choices.Add((10, from b in block from n in Gen.Frequency((12, Sizes.Request(s.Pools[b.Pool])), (1, Gen.Constant(0UL)))
                             select (Command)new ReallocCommand(sym, b.Pool, b.Sym, n)));
            choices.Add((2, from b in block from o in Gen.Choose(1, (int)Math.Clamp(b.Requested, 2, 4096) - 1)
                            select (Command)new InteriorFreeCommand(b.Pool, b.Sym, (ulong)o)));
        }

        if (freed.Count > 0)
        {
            Gen<GenBlock> gone = Gen.Elements(freed.ToArray());
            choices.Add((2, from b in gone from p in pool select (Command)new DoubleFreeCommand(s.IsLivePool(b.Pool) ? b.Pool : p.Sym, b.Sym)));
            choices.Add((1, from b in gone from p in pool from n in Sizes.Small
                            select (Command)new FreedPointerToReallocCommand(s.IsLivePool(b.Pool) ? b.Pool : p.Sym, b.Sym, n)));
        }

        return Gen.Frequency(choices);
    }

    private static Gen<Command> Always(Command command) => Gen.Constant(command);

    private static Gen<Command> CreatePool(int sym) =>
        from size in Gen.Frequency(
            (1, Gen.Constant(CreatePoolCommand.Sizes[0])), (2, Gen.Constant(CreatePoolCommand.Sizes[1])), (3, Gen.Constant(CreatePoolCommand.Sizes[2])),
            (3, Gen.Constant(CreatePoolCommand.Sizes[3])), (2, Gen.Constant(CreatePoolCommand.Sizes[4])))
        from lockSpec in Gen.Frequency((15, Gen.Constant(BeConstants.NoLock)), (1, Gen.Constant(BeConstants.LazyLock)))
        from address in Gen.Frequency((8, Gen.Constant(BeConstants.AnyAddress)), (1, Gen.Constant(BeConstants.BaseAddress)),
            (1, Gen.Constant(BeConstants.AnyKernelAddress)), (1, Gen.Constant(BeConstants.AnyKernelBlockAddress)))
        select (Command)new CreatePoolCommand(sym, size, lockSpec, address);

    private static Gen<Command> DeletedPoolCall(GenState s)
    {
        int[] pools = s.DeletedPools.Select(p => p.Sym).Append(0).ToArray();
        int[] blocks = s.Blocks.Keys.Append(0).ToArray();
        return from p in Gen.Elements(pools)
               from k in Gen.Elements(Enum.GetValues<PoolCallKind>())
               from b in Gen.Elements(blocks)
               from n in Sizes.Small
               select (Command)new DeletedPoolCallCommand(p, k, b, n);
    }

    private static Gen<Command> ForeignFree(GenState s, Gen<GenPool> pool) =>
        from p in pool
        from kind in Gen.Elements(Enum.GetValues<ForeignPointer>())
        let others = s.Blocks.Values.Where(b => b.Live && b.Pool != p.Sym).Select(b => b.Sym).ToArray()
        from other in others.Length == 0 ? Gen.Constant(0) : Gen.Elements(others)
        select (Command)(kind == ForeignPointer.OtherPoolBlock && other == 0
            ? new ForeignFreeCommand(p.Sym, ForeignPointer.NativeHeap)
            : new ForeignFreeCommand(p.Sym, kind, kind == ForeignPointer.OtherPoolBlock ? other : 0));
}

/// <summary>Request sizes: small, slab-boundary (a class size, one less, one more), large and huge (near the pool's guarantee).</summary>
public static class Sizes
{
    /// <summary>0 to 256 bytes.</summary>
    public static Gen<ulong> Small { get; } = Gen.Choose(0, 256).Select(n => (ulong)n);

    /// <summary>A size class, or one byte either side of it.</summary>
    public static Gen<ulong> SlabBoundary { get; } =
        from c in Gen.Choose(0, SizeClasses.Count - 1)
        from d in Gen.Choose(-1, 1)
        select (ulong)(SizeClasses.SizeOf(c) + d);

    /// <summary>Just above the slab range up to 64 KiB: the large-block heap.</summary>
    public static Gen<ulong> Large { get; } = Gen.Choose(SizeClasses.MaxSmallSize + 1, 64 * 1024).Select(n => (ulong)n);

    /// <summary>Any request for pool <paramref name="p"/>: small 4, boundary 3, large 2, huge 1.</summary>
    /// <param name="p">The pool.</param>
    /// <returns>The generator.</returns>
    public static Gen<ulong> Request(GenPool p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Gen.Frequency((4, Small), (3, SlabBoundary), (2, Large), (1, Huge(p)));
    }

    /// <summary>Near the pool's MaxSingleRequest: exactly it, a little below, a quarter to all of it, or one byte over.</summary>
    /// <param name="p">The pool.</param>
    /// <returns>The generator.</returns>
    public static Gen<ulong> Huge(GenPool p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int max = (int)Math.Min(p.MaxSingleRequest, int.MaxValue - 1);
        return Gen.Frequency(
            (3, Gen.Constant((ulong)max)),
            (1, Gen.Constant((ulong)Math.Max(max - 16, 0))),
            (2, Gen.Choose(max / 4, max).Select(n => (ulong)n)),
            (1, Gen.Constant((ulong)max + 1)));
    }

    /// <summary>Sizes no pool of this size can satisfy, up to the top of the address space.</summary>
    /// <param name="p">The pool.</param>
    /// <returns>The generator.</returns>
    public static Gen<ulong> Impossible(GenPool p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Gen.Elements(p.MaxSingleRequest + 1, p.MaxSingleRequest + 16, p.Size, 1UL << 40,
            (ulong)long.MaxValue + 1, ulong.MaxValue - 15, ulong.MaxValue);
    }
}
