namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// A range the allocator unmapped, kept mapped by <see cref="QuarantiningAreaBackend"/> together with a copy of its
/// bytes at the moment of the unmap, so that any later write into it can be seen.
/// </summary>
/// <param name="Address">The first byte of the range.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="Snapshot">Its bytes when it was unmapped.</param>
/// <param name="Sequence">1 for the first range unmapped through the backend, 2 for the next, ...</param>
public sealed record QuarantinedRange(nint Address, nuint Size, byte[] Snapshot, int Sequence)
{
    /// <summary>True when <paramref name="address"/> lies inside the range.</summary>
    public bool Contains(nint address) => (nuint)address - (nuint)Address < Size;

    /// <summary>True when the range shares a byte with [<paramref name="address"/>, +<paramref name="size"/>).</summary>
    public bool Overlaps(nint address, nuint size) =>
        (nuint)address < (nuint)Address + Size && (nuint)Address < (nuint)address + size;

    /// <summary>The offset of the first byte written since the unmap, or -1 when the range is as it was.</summary>
    public unsafe long FirstChange()
    {
        var now = new ReadOnlySpan<byte>((void*)Address, Snapshot.Length);
        int same = now.CommonPrefixLength(Snapshot);
        return same == Snapshot.Length ? -1 : same;
    }

    /// <summary>How many bytes differ from the snapshot.</summary>
    public unsafe int ChangedBytes()
    {
        var now = new ReadOnlySpan<byte>((void*)Address, Snapshot.Length);
        int changed = 0;
        for (int i = 0; i < now.Length; i++)
            changed += now[i] != Snapshot[i] ? 1 : 0;
        return changed;
    }
}
