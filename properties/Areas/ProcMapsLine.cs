namespace AreaMalloc.Properties.Areas;

/// <summary>What <c>/proc/self/maps</c> says of the mapping that holds an address: its permissions (<c>rw-s</c>: the last
/// letter is <c>s</c> for a shared mapping, <c>p</c> for a private one) and what it maps (<c>/memfd:NAME (deleted)</c>).</summary>
internal static class ProcMapsLine
{
    /// <summary>The permissions and the path of the mapping at <paramref name="address"/>.</summary>
    public static (string Permissions, string Path) At(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string[] range = fields[0].Split('-');
            ulong start = Convert.ToUInt64(range[0], 16), end = Convert.ToUInt64(range[1], 16);
            if (start <= (ulong)address && (ulong)address < end)
            {
                return (fields[1], fields.Length > 5 ? fields[5] : "");
            }
        }

        throw new InvalidOperationException($"0x{address:x} is not mapped");
    }

    /// <summary>True when some mapping holds <paramref name="address"/>.</summary>
    public static bool IsMapped(nint address)
    {
        try
        {
            At(address);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
