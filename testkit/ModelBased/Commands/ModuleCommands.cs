using AreaMalloc.Models;
using AreaMalloc.Pool;

namespace AreaMalloc.TestKit.ModelBased.Commands;

/// <summary><c>get_module(name)</c> of the real module name, or of an unknown one (B_ENTRY_NOT_FOUND).</summary>
/// <param name="KnownName">True for <c>B_AREA_MALLOC_MODULE_NAME</c>.</param>
public sealed record GetModuleCommand(bool KnownName = true) : Command
{
    /// <summary>A name no module has.</summary>
    public const string UnknownName = "generic/area_malloc/v0";

    /// <summary>The name passed.</summary>
    public string Name => KnownName ? BeConstants.ModuleName : UnknownName;

    /// <inheritdoc />
    public override bool Pre(GenState state) => true;

    /// <inheritdoc />
    public override GenState Apply(GenState state) => KnownName ? state with { ModuleUsers = state.ModuleUsers + 1 } : state;

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this;

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new GetModuleCommand(KnownName: {(KnownName ? "true" : "false")})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"get_module(\"{Name}\")");
}

/// <summary><c>put_module()</c>: the last one deletes every pool; without a user it is B_BAD_VALUE.</summary>
public sealed record PutModuleCommand : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => true;

    /// <inheritdoc />
    public override GenState Apply(GenState state)
    {
        if (state.ModuleUsers == 0)
        {
            return state;
        }

        GenState s = state with { ModuleUsers = state.ModuleUsers - 1 };
        if (s.ModuleUsers == 0)
        {
            foreach (GenPool p in s.LivePools.ToList())
            {
                s = s.WithoutPool(p.Sym);
            }
        }

        return s;
    }

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this;

    /// <inheritdoc />
    public override string ToCSharp() => "new PutModuleCommand()";

    /// <inheritdoc />
    public override string ToString() => "put_module()";
}

/// <summary><c>pN = create_pool(addressSpec, size, lockSpec, B_READ_AREA | B_WRITE_AREA)</c> with valid arguments.</summary>
/// <param name="Pool">The pool symbol it defines.</param>
/// <param name="Size">Area size: a page multiple at least the minimum.</param>
/// <param name="LockSpec">B_NO_LOCK or B_LAZY_LOCK.</param>
/// <param name="AddressSpec">B_ANY_ADDRESS, B_BASE_ADDRESS, B_ANY_KERNEL_ADDRESS or B_ANY_KERNEL_BLOCK_ADDRESS.</param>
public sealed record CreatePoolCommand(int Pool, ulong Size, uint LockSpec = BeConstants.NoLock, uint AddressSpec = BeConstants.AnyAddress) : Command
{
    /// <summary>The protection every generated pool gets.</summary>
    public const uint Protection = BeConstants.ReadArea | BeConstants.WriteArea;

    /// <summary>Pool sizes the generator draws from (and shrinks towards the first).</summary>
    public static IReadOnlyList<ulong> Sizes { get; } = [PoolLayout.MinAreaSize, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024];

    /// <inheritdoc />
    public override (int Pool, int Block) Defines => (Pool, 0);

    /// <inheritdoc />
    public override bool Pre(GenState state) =>
        state.ModuleUsers > 0 && !state.IsDefined(Pool) && state.LivePools.Count() < GenState.MaxLivePools;

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state.WithPool(Pool, Size);

    /// <inheritdoc />
    public override IEnumerable<Command> ShrinkArguments()
    {
        if (LockSpec != BeConstants.NoLock || AddressSpec != BeConstants.AnyAddress)
        {
            yield return this with { LockSpec = BeConstants.NoLock, AddressSpec = BeConstants.AnyAddress };
        }

        foreach (ulong size in Sizes.Where(s => s < Size))
        {
            yield return this with { Size = size };
        }
    }

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() =>
        Invariant($"new CreatePoolCommand(Pool: {Pool}, Size: {Size}, LockSpec: {LockSpec}, AddressSpec: {AddressSpec})");

    /// <inheritdoc />
    public override string ToString() =>
        Invariant($"{P(Pool)} = create_pool({Names.AddressSpec(AddressSpec)}, {Size}, {Names.LockSpec(LockSpec)}, B_READ_AREA | B_WRITE_AREA)");
}

/// <summary>Which argument of an invalid <c>create_pool</c> is wrong.</summary>
public enum InvalidPoolKind
{
    /// <summary>Size 0.</summary>
    ZeroSize,

    /// <summary>A size that is not a multiple of B_PAGE_SIZE.</summary>
    SizeNotPageMultiple,

    /// <summary>B_EXACT_ADDRESS, which needs an address create_pool does not take.</summary>
    ExactAddress,

    /// <summary>B_CLONE_ADDRESS: no area to clone.</summary>
    CloneAddress,

    /// <summary>A lock spec beyond B_LOMEM.</summary>
    UnknownLockSpec,

    /// <summary>B_READ_AREA only: the pool could not write its own metadata.</summary>
    ReadOnly,
}

/// <summary>Misuse: <c>create_pool</c> with one invalid argument: must return NULL and create nothing.</summary>
/// <param name="Kind">What is wrong.</param>
public sealed record InvalidCreatePoolCommand(InvalidPoolKind Kind) : Command
{
    /// <summary>The call's arguments.</summary>
    public (uint AddressSpec, ulong Size, uint LockSpec, uint Protection) Arguments => Kind switch
    {
        InvalidPoolKind.ZeroSize => (BeConstants.AnyAddress, 0, BeConstants.NoLock, CreatePoolCommand.Protection),
        InvalidPoolKind.SizeNotPageMultiple => (BeConstants.AnyAddress, 65536 + 100, BeConstants.NoLock, CreatePoolCommand.Protection),
        InvalidPoolKind.ExactAddress => (BeConstants.ExactAddress, 65536, BeConstants.NoLock, CreatePoolCommand.Protection),
        InvalidPoolKind.CloneAddress => (BeConstants.CloneAddress, 65536, BeConstants.NoLock, CreatePoolCommand.Protection),
        InvalidPoolKind.UnknownLockSpec => (BeConstants.AnyAddress, 65536, 77, CreatePoolCommand.Protection),
        _ => (BeConstants.AnyAddress, 65536, BeConstants.NoLock, BeConstants.ReadArea),
    };

    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0;

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this;

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new InvalidCreatePoolCommand(InvalidPoolKind.{Kind})");

    /// <inheritdoc />
    public override string ToString()
    {
        var a = Arguments;
        return Invariant($"create_pool({Names.AddressSpec(a.AddressSpec)}, {a.Size}, {Names.LockSpec(a.LockSpec)}, 0x{a.Protection:x})   [misuse: {Kind}]");
    }
}

/// <summary><c>delete_pool(pN)</c> of a live pool.</summary>
/// <param name="Pool">The pool.</param>
public sealed record DeletePoolCommand(int Pool) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state.WithoutPool(Pool);

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new DeletePoolCommand(Pool: {Pool})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"delete_pool({P(Pool)})");
}

/// <summary>Trim(pN): spare slabs go back to the large-block heap (the statistics must then be pristine if the pool is empty).</summary>
/// <param name="Pool">The pool.</param>
public sealed record TrimCommand(int Pool) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state;

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new TrimCommand(Pool: {Pool})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"trim({P(Pool)})");
}

/// <summary>
/// Frees every live block of pN, in allocation order, without Trim: the pool must satisfy a request of
/// MaxSingleRequest, and once that is freed its statistics must be pristine (the capacity guarantee after a full release).
/// </summary>
/// <param name="Pool">The pool.</param>
public sealed record DrainCommand(int Pool) : Command
{
    /// <inheritdoc />
    public override bool Pre(GenState state) => state.ModuleUsers > 0 && state.IsLivePool(Pool);

    /// <inheritdoc />
    public override GenState Apply(GenState state) => state.Drained(Pool);

    /// <inheritdoc />
    public override Command Rename(Func<int, int> pool, Func<int, int> block) => this with { Pool = Map(pool, Pool) };

    /// <inheritdoc />
    public override string ToCSharp() => Invariant($"new DrainCommand(Pool: {Pool})");

    /// <inheritdoc />
    public override string ToString() => Invariant($"free every block of {P(Pool)}; expect MaxSingleRequest to fit, then a pristine pool (no trim)");
}

/// <summary>Be constant names for printing.</summary>
internal static class Names
{
    public static string AddressSpec(uint spec) => spec switch
    {
        BeConstants.AnyAddress => "B_ANY_ADDRESS",
        BeConstants.ExactAddress => "B_EXACT_ADDRESS",
        BeConstants.BaseAddress => "B_BASE_ADDRESS",
        BeConstants.CloneAddress => "B_CLONE_ADDRESS",
        BeConstants.AnyKernelAddress => "B_ANY_KERNEL_ADDRESS",
        BeConstants.AnyKernelBlockAddress => "B_ANY_KERNEL_BLOCK_ADDRESS",
        _ => spec.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string LockSpec(uint spec) => spec switch
    {
        BeConstants.NoLock => "B_NO_LOCK",
        BeConstants.LazyLock => "B_LAZY_LOCK",
        BeConstants.FullLock => "B_FULL_LOCK",
        _ => spec.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
