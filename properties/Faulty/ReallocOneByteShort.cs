using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.Properties.Faulty;

/// <summary>
/// Fault: realloc that moves a block copies one byte too few. The correct pool copies
/// <c>min(old usable size, new size)</c> bytes; this one leaves the last of them uncopied, simulated by
/// making that byte differ from its source (an uncopied byte holds whatever the new block held before).
/// In-place resizes copy nothing and stay correct.
/// </summary>
/// <param name="inner">The correct pool.</param>
public sealed unsafe class ReallocOneByteShort(IPoolUnderTest inner) : PoolDecorator(inner)
{
    /// <inheritdoc />
    public override nint Realloc(nint block, nuint size)
    {
        ulong copied = block == 0 ? 0 : Math.Min(Inner.UsableSize(block) ?? 0, (ulong)size);
        nint moved = Inner.Realloc(block, size);
        if (moved != 0 && moved != block && copied != 0)
        {
            ((byte*)moved)[copied - 1] ^= 0xFF;
        }

        return moved;
    }
}
