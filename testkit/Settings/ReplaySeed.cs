using System.Globalization;

namespace AreaMalloc.TestKit.Settings;

/// <summary>
/// A FsCheck replay seed as FsCheck prints it: <c>(seed,gamma)</c> replays a whole run from its first
/// case; <c>(seed,gamma,size)</c> replays directly the failing case. Read from the environment variable
/// <c>AREAMALLOC_REPLAY</c> by properties that were not given a seed in code.
/// </summary>
/// <param name="Seed">The generator's seed.</param>
/// <param name="Gamma">The generator's gamma (odd).</param>
/// <param name="Size">The size of the failing case, when replaying it directly.</param>
public readonly record struct ReplaySeed(ulong Seed, ulong Gamma, int? Size = null)
{
    /// <summary>The environment variable a failing run's message tells you to set.</summary>
    public const string EnvironmentVariable = "AREAMALLOC_REPLAY";

    /// <summary>The seed from <see cref="EnvironmentVariable"/>, or null when it is not set.</summary>
    public static ReplaySeed? FromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(text) ? null : Parse(text);
    }

    /// <summary>Parses <c>(seed,gamma)</c> or <c>(seed,gamma,size)</c>; parentheses and spaces are optional.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The seed.</returns>
    /// <exception cref="FormatException">Not two or three unsigned numbers.</exception>
    public static ReplaySeed Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().TrimStart('(').TrimEnd(')').Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is 2 or 3
            && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong gamma))
        {
            if (parts.Length == 2)
            {
                return new ReplaySeed(seed, gamma);
            }

            if (int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            {
                return new ReplaySeed(seed, gamma, size);
            }
        }

        throw new FormatException($"'{text}' is not a replay seed: expected (seed,gamma) or (seed,gamma,size) as FsCheck prints them");
    }

    /// <summary>As FsCheck prints it, e.g. <c>(123,457)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Size is int size
        ? string.Create(CultureInfo.InvariantCulture, $"({Seed},{Gamma},{size})")
        : string.Create(CultureInfo.InvariantCulture, $"({Seed},{Gamma})");
}
