using System.Text.RegularExpressions;
using AreaMalloc.Pool;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace AreaMalloc.Properties.Architecture;

/// <summary>
/// The allocator's layers only look down (<see cref="AllocatorLayers.Order"/>): in the compiled assembly no type of a
/// layer depends on a type of a layer above it or of a peer, and in the sources no file names such a layer, by a
/// using directive or a qualified name. Each folder is its namespace.
/// </summary>
public sealed partial class LayerFacts
{
    private static readonly ArchUnitNET.Domain.Architecture Allocator =
        new ArchLoader().LoadAssemblies(typeof(PoolAllocator).Assembly).Build();

    public static TheoryData<string> Layers => [.. AllocatorLayers.All];

    [Theory]
    [MemberData(nameof(Layers))]
    public void No_type_of_a_layer_depends_on_a_layer_above_it_or_on_a_peer(string layer)
    {
        string below = string.Join(", ", AllocatorLayers.Order.Take(AllocatorLayers.RankOf(layer)).SelectMany(row => row));
        foreach (string forbidden in AllocatorLayers.Forbidden(layer))
            Types().That().ResideInNamespace("AreaMalloc." + layer)
                .Should().NotDependOnAnyTypesThat().ResideInNamespace("AreaMalloc." + forbidden)
                .Because($"{layer} may use only the layers below it ({(below.Length == 0 ? "none" : below)}), not {forbidden}")
                .Check(Allocator);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void No_source_file_of_a_layer_names_a_layer_above_it_or_a_peer(string layer)
    {
        var forbidden = AllocatorLayers.Forbidden(layer).ToHashSet(StringComparer.Ordinal);
        var offences = new List<string>();
        foreach (FileInfo file in SourcesOf(layer))
        {
            string[] lines = File.ReadAllLines(file.FullName);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = CodeOf(lines[i]);
                foreach (Match named in QualifiedLayer().Matches(code))
                    if (forbidden.Contains(named.Groups["layer"].Value))
                        offences.Add($"{file.Name}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(offences.Count == 0,
            $"expected: allocator/{layer} names only the layers below it; actual: {offences.Count} line(s) name a layer above it or a peer:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", offences));
    }

    [Fact]
    public void Every_namespace_of_the_allocator_is_a_layer()
    {
        string[] strays = [.. Allocator.Types.Select(t => t.Namespace.FullName)
            .Where(ns => ns.StartsWith("AreaMalloc", StringComparison.Ordinal))
            .Distinct()
            .Where(ns => !AllocatorLayers.All.Any(layer => ns == "AreaMalloc." + layer))
            .Order()];
        Assert.True(strays.Length == 0, $"expected: every namespace is a layer of AllocatorLayers.Order; actual: also {string.Join(", ", strays)}");
    }

    [Fact]
    public void Every_folder_of_the_allocator_is_a_layer_and_every_file_declares_its_folder_as_namespace()
    {
        DirectoryInfo root = AllocatorLayers.SourceFolder();
        string[] folders = [.. root.GetDirectories().Select(d => d.Name).Where(n => n is not ("bin" or "obj")).Order()];
        Assert.Equal(AllocatorLayers.All.Order(), folders);
        var misplaced = new List<string>();
        foreach (string layer in AllocatorLayers.All)
            foreach (FileInfo file in SourcesOf(layer))
            {
                string? declared = File.ReadLines(file.FullName).Select(l => FileNamespace().Match(l)).FirstOrDefault(m => m.Success)?.Groups["ns"].Value;
                if (declared != "AreaMalloc." + layer)
                    misplaced.Add($"{layer}/{file.Name} declares {declared ?? "no namespace"}");
            }
        Assert.True(misplaced.Count == 0, "expected: every file declares the namespace of its folder; actual:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", misplaced));
        Assert.Empty(root.GetFiles("*.cs"));
    }

    private static IEnumerable<FileInfo> SourcesOf(string layer) =>
        new DirectoryInfo(Path.Combine(AllocatorLayers.SourceFolder().FullName, layer)).EnumerateFiles("*.cs", SearchOption.AllDirectories);

    /// <summary>The line without its comment (from "//"), so that docs may mention any layer.</summary>
    private static string CodeOf(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return comment < 0 ? line : line[..comment];
    }

    /// <summary>A layer named in code: <c>AreaMalloc.X</c> (using directives, qualified names), or a name <c>X.</c> relative to AreaMalloc.</summary>
    [GeneratedRegex(@"\bAreaMalloc\.(?<layer>[A-Za-z]+)\b")]
    private static partial Regex QualifiedLayer();

    [GeneratedRegex(@"^namespace (?<ns>[A-Za-z.]+);")]
    private static partial Regex FileNamespace();
}
