using System.Text.RegularExpressions;

namespace AreaMalloc.Properties.Architecture;

/// <summary>
/// Every mutant the allocator's sources exclude from the mutation run is explained once, in docs/MUTATION.md: each
/// <c>// Stryker disable</c> comment gives a short reason and points at an entry there that exists.
/// </summary>
public sealed partial class MutationIgnoreFacts
{
    [Fact]
    public void Every_Stryker_disable_comment_points_at_an_entry_of_docs_MUTATION_md()
    {
        DirectoryInfo allocator = AllocatorLayers.SourceFolder();
        string doc = Path.Combine(allocator.Parent!.FullName, "docs", "MUTATION.md");
        var anchors = File.ReadLines(doc)
            .Select(l => Heading().Match(l))
            .Where(m => m.Success)
            .Select(m => Slug(m.Groups["title"].Value))
            .ToHashSet(StringComparer.Ordinal);

        var offences = new List<string>();
        int comments = 0;
        foreach (FileInfo file in allocator.EnumerateFiles("*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.FullName.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            string[] lines = File.ReadAllLines(file.FullName);
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].Contains("Stryker disable", StringComparison.Ordinal))
                    continue;
                comments++;
                Match link = Link().Match(lines[i]);
                if (!link.Success)
                    offences.Add($"{file.Name}:{i + 1}: no docs/MUTATION.md#entry in \"{lines[i].Trim()}\"");
                else if (!anchors.Contains(link.Groups["anchor"].Value))
                    offences.Add($"{file.Name}:{i + 1}: docs/MUTATION.md has no entry #{link.Groups["anchor"].Value}");
            }
        }
        Assert.True(comments > 0, "expected: the allocator's Stryker comments to be found under " + allocator.FullName);
        Assert.True(offences.Count == 0,
            $"expected: every Stryker disable comment points at an entry of docs/MUTATION.md; actual: {offences.Count} do not:" +
            Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", offences));
    }

    /// <summary>GitHub's anchor of a heading: lower case, spaces to dashes, punctuation other than '-' dropped.</summary>
    private static string Slug(string title) =>
        new string([.. title.Trim().ToLowerInvariant().Replace(' ', '-').Where(c => char.IsLetterOrDigit(c) || c is '-' or '_')]);

    [GeneratedRegex(@"^#{2,4} (?<title>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"docs/MUTATION\.md#(?<anchor>[a-z0-9_-]+)")]
    private static partial Regex Link();
}
