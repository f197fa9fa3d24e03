using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// The second process of the cross-process tests: <c>clone-child/</c> (AreaMalloc.CloneChild.dll, built with the tests
/// and copied next to them), run with the same <c>dotnet</c> host as the tests. One command per line in, one answer per
/// line out. Every wait has a timeout that fails the test with the command, what the child wrote to stderr, and whether
/// it is still running; disposing kills a child that is still running. No wait can hang a run.
/// </summary>
internal sealed class CloneChildProcess : IDisposable
{
    /// <summary>How long one answer (or the child's exit) may take: a cold <c>dotnet</c> start on a loaded 2-core machine included.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly StringBuilder stderr = new();

    private CloneChildProcess(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        Pid = int.Parse(Expect("ready")[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The child's process id.</summary>
    public int Pid { get; }

    /// <summary>Starts the child and waits for it to say it is ready.</summary>
    public static CloneChildProcess Start()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "AreaMalloc.CloneChild.dll");
        Assert.True(File.Exists(dll), $"the child program {dll} was not built next to the tests (properties references clone-child/)");
        var info = new ProcessStartInfo(DotnetHost(), [dll])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_TieredPGO"] = "0";
        return new CloneChildProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Sends <paramref name="command"/> and returns the words of the answer after its first word, which must be <paramref name="answer"/>.</summary>
    public string[] Ask(FormattableString command, string answer)
    {
        string text = command.ToString(CultureInfo.InvariantCulture);
        process.StandardInput.WriteLine(text);
        process.StandardInput.Flush();
        return Expect(answer, text);
    }

    /// <summary>Asks the child to exit and waits for it; its exit code.</summary>
    public int Exit()
    {
        process.StandardInput.WriteLine("exit");
        process.StandardInput.Flush();
        return WaitForExit("exit");
    }

    /// <summary>Waits for the child to end by itself (after <paramref name="after"/>); its exit code, 128 + the signal that killed it.</summary>
    public int WaitForExit(string after)
    {
        if (!process.WaitForExit(Timeout))
        {
            Assert.Fail($"the child process {Pid} did not exit within {Timeout.TotalSeconds} s after `{after}`; stderr: {Stderr()}");
        }

        process.WaitForExit(); // drains the redirected streams
        return process.ExitCode;
    }

    /// <summary>What the child wrote to stderr so far.</summary>
    public string Stderr()
    {
        lock (stderr)
        {
            return stderr.Length == 0 ? "(nothing)" : stderr.ToString();
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(Timeout);
        }

        process.Dispose();
    }

    /// <summary>The <c>dotnet</c> host running the tests (so the child runs on the same runtime), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private string[] Expect(string answer, string command = "(start)")
    {
        Task<string?> read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(Timeout))
        {
            Assert.Fail($"the child process {Pid} did not answer `{command}` within {Timeout.TotalSeconds} s (running: {!process.HasExited}); stderr: {Stderr()}");
        }

        string? line = read.Result;
        if (line is null)
        {
            process.WaitForExit(Timeout);
            Assert.Fail($"the child process ended (exit code {(process.HasExited ? process.ExitCode : -1)}) instead of answering `{command}`; stderr: {Stderr()}");
        }

        string[] words = line!.Split(' ');
        Assert.True(words[0] == answer, $"the child answered `{line}` to `{command}`, expected `{answer} ...`; stderr: {Stderr()}");
        return words[1..];
    }
}
