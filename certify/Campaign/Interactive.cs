using System.Diagnostics;

namespace AreaMalloc.Certify.Campaign;

/// <summary>The bug-hunting commands: they run one scenario or one seed with the child's output on the console.</summary>
internal static class Interactive
{
    private static readonly string ScenarioAssembly =
        Path.Combine("concurrency-tests", "bin", "Release", "net10.0", "AreaMalloc.ConcurrencyTests.dll");

    /// <summary>Runs one Coyote scenario until the first bug or the iteration bound; 2 when a bug was found.</summary>
    public static int Hunt(string scenario, string strategy, uint iterations, uint? seed)
    {
        if (Build("concurrency-tests/AreaMalloc.ConcurrencyTests.csproj") is int failed and not 0)
            return failed;
        List<string> args = [ScenarioAssembly, "hunt", scenario, strategy, iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (seed is not null)
            args.Add(seed.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int code = Run("dotnet", args, null);
        if (code == 2)
            Console.WriteLine("replay with: dotnet run --project certify -- replay <the trace above>");
        return code;
    }

    /// <summary>Replays a Coyote trace file, or an FsCheck seed "(seed,gamma[,size])" of the model-based property.</summary>
    public static int Replay(string traceOrSeed)
    {
        if (File.Exists(traceOrSeed))
        {
            if (Build("concurrency-tests/AreaMalloc.ConcurrencyTests.csproj") is int failed and not 0)
                return failed;
            return Run("dotnet", [ScenarioAssembly, "replay", Path.GetFullPath(traceOrSeed)], null);
        }
        if (traceOrSeed.StartsWith('(') && traceOrSeed.EndsWith(')'))
        {
            return Run("dotnet", ["test", "properties/AreaMalloc.Properties.csproj", "-c", "Release",
                "--filter", "FullyQualifiedName~Every_command_sequence_agrees_with_the_model",
                "--logger", "console;verbosity=detailed"],
                new Dictionary<string, string>(StringComparer.Ordinal) { ["AREAMALLOC_REPLAY"] = traceOrSeed });
        }
        Console.Error.WriteLine($"'{traceOrSeed}' is neither a trace file nor an FsCheck seed such as (123,456) or (123,456,20)");
        return 1;
    }

    private static int Build(string project) => Run("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "quiet"], null);

    private static int Run(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = Repository.Root, UseShellExecute = false };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        info.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
