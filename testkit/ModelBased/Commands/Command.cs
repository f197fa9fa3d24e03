using System.Globalization;

namespace AreaMalloc.TestKit.ModelBased.Commands;

/// <summary>
/// One step of a generated test sequence, named in symbols: pools <c>p1, p2...</c> and blocks
/// <c>b1, b2...</c>, each defined by the command that creates it (0 stands for NULL / none).
/// A command knows when it makes sense (<see cref="Pre"/>), what it does to the generator's view
/// (<see cref="Apply"/>), how to get smaller (<see cref="ShrinkArguments"/>), and how to print itself
/// both readably (<see cref="object.ToString"/>) and as C# (<see cref="ToCSharp"/>). The
/// <see cref="SequenceDriver"/> executes it against an implementation and the reference model.
/// Commands are immutable records: FsCheck shares them between shrink candidates.
/// </summary>
public abstract record Command
{
    /// <summary>Whether the command makes sense in <paramref name="state"/> (rechecked after every shrink).</summary>
    /// <param name="state">The generator's state before the command.</param>
    /// <returns>True to keep the command.</returns>
    public abstract bool Pre(GenState state);

    /// <summary>The generator's state after the command, assuming allocations succeed.</summary>
    /// <param name="state">The state before.</param>
    /// <returns>The state after.</returns>
    public abstract GenState Apply(GenState state);

    /// <summary>Copies of this command with smaller arguments, smallest first.</summary>
    /// <returns>The candidates.</returns>
    public virtual IEnumerable<Command> ShrinkArguments() => [];

    /// <summary>The same command with its symbols renamed (0 stays 0), for printing shrunk sequences densely.</summary>
    /// <param name="pool">New pool number for an old one.</param>
    /// <param name="block">New block number for an old one.</param>
    /// <returns>The renamed command.</returns>
    public abstract Command Rename(Func<int, int> pool, Func<int, int> block);

    /// <summary>The symbols this command defines: a pool, a block, or neither.</summary>
    public virtual (int Pool, int Block) Defines => (0, 0);

    /// <summary>A C# expression that rebuilds this command, e.g. <c>new MallocCommand(Block: 2, Pool: 1, Size: 48)</c>.</summary>
    /// <returns>The code.</returns>
    public abstract string ToCSharp();

    /// <summary>The pool symbol as printed: <c>p1</c>, or <c>garbage-pool</c> for 0.</summary>
    protected static string P(int sym) => sym == 0 ? "garbage-pool" : Invariant($"p{sym}");

    /// <summary>The block symbol as printed: <c>b3</c>, or <c>NULL</c> for 0.</summary>
    protected static string B(int sym) => sym == 0 ? "NULL" : Invariant($"b{sym}");

    /// <summary>Culture-independent formatting.</summary>
    protected static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Rename helper that keeps 0.</summary>
    protected static int Map(Func<int, int> rename, int sym) => sym == 0 ? 0 : rename(sym);
}

/// <summary>Smaller candidates for numeric arguments.</summary>
internal static class Smaller
{
    /// <summary>
    /// Distinct candidates below <paramref name="value"/> and at least <paramref name="floor"/>, ascending:
    /// the floor, 1, 16, then closer and closer to the value (value - value/2, - value/4, ... - 1), so that
    /// a size that must stay above some threshold still shrinks in logarithmically many steps.
    /// </summary>
    public static IEnumerable<ulong> Than(ulong value, ulong floor = 0)
    {
        var candidates = new List<ulong> { floor, 1, 16 };
        for (ulong delta = value / 2; delta > 0; delta /= 2)
        {
            candidates.Add(value - delta);
        }

        return candidates.Where(c => c >= floor && c < value).Distinct().Order();
    }
}
