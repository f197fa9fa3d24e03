using System.Globalization;
using System.Runtime.InteropServices;

namespace AreaMalloc.TestKit.Backends;

/// <summary>Names anonymous mappings and reads <c>/proc/self/maps</c>.</summary>
public static partial class ProcMaps
{
    private const int PR_SET_VMA = 0x53564d41;
    private const int PR_SET_VMA_ANON_NAME = 0;

    /// <summary>Names the anonymous range <c>[anon:name]</c> (Linux 5.17+ with CONFIG_ANON_VMA_NAME). False when the kernel refuses.</summary>
    /// <param name="address">Start of the range.</param>
    /// <param name="size">Bytes.</param>
    /// <param name="name">The name.</param>
    /// <returns>Whether the range is named now.</returns>
    public static unsafe bool Name(nint address, nuint size, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        nint text = Marshal.StringToHGlobalAnsi(name);
        try
        {
            return Prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (nuint)address, size, (nuint)text) == 0;
        }
        finally
        {
            Marshal.FreeHGlobal(text);
        }
    }

    /// <summary>The ranges of <c>/proc/self/maps</c> whose name is <c>[anon:name]</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The ranges, as text lines.</returns>
    public static IReadOnlyList<string> Named(string name)
    {
        string marker = "[anon:" + name + "]";
        return File.ReadLines("/proc/self/maps").Where(l => l.EndsWith(marker, StringComparison.Ordinal)).ToArray();
    }

    /// <summary>Whether some line of <c>/proc/self/maps</c> overlaps [address, address+size).</summary>
    /// <param name="address">Start.</param>
    /// <param name="size">Bytes.</param>
    /// <returns>True when some mapping overlaps the range.</returns>
    public static bool Overlaps(nint address, nuint size)
    {
        nuint lo = (nuint)address, hi = lo + size;
        return Ranges().Any(r => r.Start < hi && lo < r.End);
    }

    /// <summary>Whether the mappings of <c>/proc/self/maps</c> cover all of [address, address+size).</summary>
    /// <param name="address">Start.</param>
    /// <param name="size">Bytes.</param>
    /// <returns>True when every byte of the range is mapped.</returns>
    public static bool Covers(nint address, nuint size)
    {
        nuint at = (nuint)address, hi = at + size;
        foreach ((nuint start, nuint end) in Ranges())
        {
            if (start <= at && at < end)
            {
                at = end;
            }

            if (at >= hi)
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<(nuint Start, nuint End)> Ranges()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash)
            {
                yield return (nuint.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    nuint.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
