using System.Runtime.InteropServices;

namespace AreaMalloc.Certify.Report;

/// <summary>Where and on what the campaign ran: recorded in the certificate.</summary>
internal sealed record MachineInfo(string Commit, bool Dirty, string Date, string Os, string Runtime, int Cores, string Memory)
{
    public static MachineInfo Read(string repositoryRoot) => new(
        Git(repositoryRoot, "rev-parse HEAD") ?? "unknown",
        !string.IsNullOrWhiteSpace(Git(repositoryRoot, "status --porcelain --untracked-files=no")),
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Environment.ProcessorCount,
        $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB");

    private static string? Git(string root, string arguments)
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("git", arguments) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
