using System.Diagnostics;

namespace AreaMalloc.Bench;

/// <summary>
/// Installs the native peers before a run: the bench's own <c>install-peers.sh</c> (apt-get of Debian's
/// libmimalloc2.0 and libjemalloc2 when either library is missing; idempotent, a no-op when both are present), so
/// that <c>dotnet run --project bench</c> on a fresh Debian machine measures every peer without a separate step.
/// The script never fails the run: without apt-get, root or sudo, or when apt-get fails, it says so and the bench
/// reports the missing peers as skipped. <c>--no-install</c> (or <c>AREAMALLOC_BENCH_NO_INSTALL=1</c>) leaves the
/// machine alone.
/// </summary>
internal static class PeerInstaller
{
    /// <summary>Whether the run may install peers: not when the command line says <c>--no-install</c> or <c>--list</c>, or the environment says <c>AREAMALLOC_BENCH_NO_INSTALL=1</c>.</summary>
    public static bool Wanted(string[] args) =>
        OperatingSystem.IsLinux()
        && !args.Contains("--no-install") && !args.Contains("--list")
        && Environment.GetEnvironmentVariable("AREAMALLOC_BENCH_NO_INSTALL") != "1";

    /// <summary>
    /// Runs <c>bench/install-peers.sh</c> of the repository at <paramref name="repoRoot"/> with bash, its output passed
    /// through. Returns the line to print when the script could not be run at all (no script, no bash), else null.
    /// </summary>
    public static string? Run(string repoRoot)
    {
        string script = Path.Combine(repoRoot, "bench", "install-peers.sh");
        if (!File.Exists(script))
            return $"install-peers: {script} not found; peers that are not installed will be skipped";
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        start.ArgumentList.Add(script);
        try
        {
            using Process process = Process.Start(start)!;
            process.WaitForExit();
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"install-peers: could not run bash ({e.Message}); peers that are not installed will be skipped";
        }
    }
}
