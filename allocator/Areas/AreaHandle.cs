using System.Globalization;

namespace AreaMalloc.Areas;

/// <summary>
/// An area as another process names it: what <see cref="AreaRegistry.ExportArea"/> gives and
/// <see cref="AreaRegistry.CloneArea(string, ref nint, uint, uint, AreaHandle)"/> takes. On Haiku an area id is
/// meaningful in every team; on Linux a process's areas are its own, so the owner exports a handle and passes its text
/// (<see cref="ToString"/>) over any channel it likes (a pipe, a socket, a command line), as a Be driver hands its user
/// program an area id; the other process parses it (<see cref="TryParse"/>) and clones the area. The handle says which
/// process holds the area's memory and under which descriptor, the tag in that memory's name (so a clone never maps other
/// memory than the handle's: once the descriptor is closed and its number reused for anything else, the clone fails),
/// and the area's address, size,
/// lock spec and protection (the most a clone may ask for). It grants nothing the OS would refuse: opening the memory
/// needs the owner's user (Linux <c>/proc/&lt;pid&gt;/fd</c> access rules).
/// </summary>
/// <param name="ProcessId">The process that holds the area.</param>
/// <param name="AreaId">The area's id in that process's registry.</param>
/// <param name="Memory">The descriptor of the area's memory in that process, or -1 for a private area (which no one can clone).</param>
/// <param name="Tag">The tag in the memory's name (0 for a private area).</param>
/// <param name="Address">Where the area starts in that process (B_CLONE_ADDRESS places a clone there).</param>
/// <param name="Size">The area's size in bytes.</param>
/// <param name="Lock">The area's lock spec (a clone reports it as its own).</param>
/// <param name="Protection">The area's protection: B_CLONEABLE_AREA must be in it, and a clone may write only if it may.</param>
public readonly record struct AreaHandle(int ProcessId, int AreaId, int Memory, ulong Tag, nint Address, nuint Size, uint Lock, uint Protection)
{
    private const string Prefix = "area";
    private const int Fields = 9;

    /// <summary>
    /// The handle as text: <c>area:&lt;pid&gt;:&lt;area id&gt;:&lt;descriptor&gt;:&lt;tag&gt;:&lt;address&gt;:&lt;size&gt;:&lt;lock&gt;:&lt;protection&gt;</c>
    /// (tag, address and size in hex), which <see cref="TryParse"/> reads back.
    /// </summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}:{ProcessId}:{AreaId}:{Memory}:{Tag:x16}:{(ulong)Address:x}:{(ulong)Size:x}:{Lock}:{Protection}");

    /// <summary>Reads a handle written by <see cref="ToString"/>; false (and the default handle) for any other text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="handle">The handle read.</param>
    public static bool TryParse(string? text, out AreaHandle handle)
    {
        handle = default;
        string[] f = text?.Split(':') ?? [];
        if (f.Length != Fields || f[0] != Prefix)
            return false;
        CultureInfo c = CultureInfo.InvariantCulture;
        if (!int.TryParse(f[1], NumberStyles.AllowLeadingSign, c, out int pid)
            || !int.TryParse(f[2], NumberStyles.AllowLeadingSign, c, out int area)
            || !int.TryParse(f[3], NumberStyles.AllowLeadingSign, c, out int memory)
            || !ulong.TryParse(f[4], NumberStyles.AllowHexSpecifier, c, out ulong tag)
            || !ulong.TryParse(f[5], NumberStyles.AllowHexSpecifier, c, out ulong address)
            || !ulong.TryParse(f[6], NumberStyles.AllowHexSpecifier, c, out ulong size)
            || !uint.TryParse(f[7], NumberStyles.None, c, out uint lockSpec)
            || !uint.TryParse(f[8], NumberStyles.None, c, out uint protection))
            return false;
        handle = new AreaHandle(pid, area, memory, tag, (nint)address, (nuint)size, lockSpec, protection);
        return true;
    }
}
