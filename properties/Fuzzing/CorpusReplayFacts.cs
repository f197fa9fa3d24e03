using AreaMalloc.TestKit.Fuzzing;
using AreaMalloc.Properties.Runner;
namespace AreaMalloc.Properties.Fuzzing;

/// <summary>
/// Every file of the fuzzer's seed corpus (<c>fuzz/corpus/</c>) and every kept finding (<c>fuzz/regressions/</c>)
/// replays without a violation: the findings of fuzzing stay fixed.
/// </summary>
[Expensive(8)]
public sealed class CorpusReplayFacts
{
    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        string root = RepositoryRoot();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            string path = Path.Combine(root, "fuzz", folder);
            if (Directory.Exists(path))
            {
                foreach (string file in Directory.GetFiles(path).Order(StringComparer.Ordinal))
                {
                    data.Add(Path.GetRelativePath(root, file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Fuzz_input_replays_without_a_violation(string file)
    {
        int commands = FuzzTarget.Run(File.ReadAllBytes(Path.Combine(RepositoryRoot(), file)));
        Assert.True(commands > 0, $"{file} decodes to no command");
    }

    [Fact]
    public void The_seed_corpus_is_there()
    {
        Assert.True(Inputs().Count >= 4, "fuzz/corpus/ holds fewer than 4 seeds");
    }

    [Fact]
    public void Decoding_is_deterministic_and_bounded()
    {
        var random = new Random(8);
        for (int i = 0; i < 200; i++)
        {
            byte[] input = new byte[random.Next(0, 2000)];
            random.NextBytes(input);
            var first = CommandDecoder.Decode(input);
            Assert.Equal(first, CommandDecoder.Decode(input));
            Assert.InRange(first.Count, 0, CommandDecoder.MaxCommands);
        }
    }

    private static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "AreaMalloc.Verify.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("AreaMalloc.Verify.sln not found above " + AppContext.BaseDirectory);
    }
}
