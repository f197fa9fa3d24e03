using System.Diagnostics;
using System.Text;

namespace AreaMalloc.Certify.Campaign;

/// <summary>Runs a child process, captures its output, and can be watched while it runs.</summary>
internal static class ProcessRunner
{
    /// <summary>The result of a finished child process.</summary>
    public sealed record Finished(int ExitCode, string Output, TimeSpan Duration);

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> in the repository root, calling <paramref name="onLine"/>
    /// with every line it prints (standard output and error, as they come) and <paramref name="onTick"/> twice a second.
    /// </summary>
    public static async Task<Finished> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment,
        Action? onTick, CancellationToken cancel, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["COYOTE_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        void Received(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (output)
            {
                output.AppendLine(e.Data);
                onLine?.Invoke(e.Data);
            }
        }
        process.OutputDataReceived += Received;
        process.ErrorDataReceived += Received;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
        {
            while (!process.WaitForExit(500))
                onTick?.Invoke();
            await process.WaitForExitAsync(cancel).ConfigureAwait(false);
        }
        onTick?.Invoke();
        lock (output)
            return new Finished(process.ExitCode, output.ToString(), clock.Elapsed);
    }
}
