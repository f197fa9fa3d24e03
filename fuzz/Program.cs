using AreaMalloc.TestKit.Fuzzing;
using SharpFuzz;

namespace AreaMalloc.Fuzz;

/// <summary>
/// Entry point. No arguments: the AFL++ target (SharpFuzz out-of-process mode; run under <c>afl-fuzz</c>, see
/// <c>fuzz/run.sh</c>). <c>--replay FILE...</c>: runs each input once without AFL and exits 1 on a violation.
/// </summary>
public static class Program
{
    /// <summary>Runs the fuzz target or replays inputs.</summary>
    /// <param name="args">Nothing, or <c>--replay</c> and files.</param>
    /// <returns>0, or 1 when a replayed input violates the model.</returns>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "--replay")
        {
            return Replay(args.Skip(1));
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTarget.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(IEnumerable<string> files)
    {
        int failed = 0;
        foreach (string file in files)
        {
            try
            {
                int commands = FuzzTarget.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok   {file} ({commands} commands)");
            }
            catch (FuzzViolationException e)
            {
                failed++;
                Console.WriteLine($"FAIL {file}: {e.Message}");
            }
        }

        return failed == 0 ? 0 : 1;
    }
}
