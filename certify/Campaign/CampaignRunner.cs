using System.Diagnostics;
using AreaMalloc.Certify.Progress;
using Spectre.Console;

namespace AreaMalloc.Certify.Campaign;

/// <summary>How the campaign shows its progress.</summary>
internal enum ProgressMode
{
    /// <summary>Live bars in an interactive terminal, plain lines anywhere else (a pipe, a file, CI).</summary>
    Auto,
    /// <summary>Live bars (Spectre.Console).</summary>
    Live,
    /// <summary>Plain lines, at most one per stage every 30 seconds.</summary>
    Plain,
}

/// <summary>Runs the stages one after the other under a progress display; a failed build stops the campaign.</summary>
internal static class CampaignRunner
{
    /// <summary>True when <paramref name="mode"/> means live bars on this console.</summary>
    public static bool IsLive(ProgressMode mode) => mode switch
    {
        ProgressMode.Live => true,
        ProgressMode.Plain => false,
        _ => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected && !Console.IsErrorRedirected
             && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")),
    };

    public static async Task<IReadOnlyList<CheckResult>> RunAsync(IReadOnlyList<IStage> stages, CampaignSettings settings, ProgressMode mode,
        Stopwatch clock, CancellationToken cancel)
    {
        var results = new List<CheckResult>();
        if (!IsLive(mode))
        {
            foreach (IStage stage in stages)
            {
                var progress = new PlainStageProgress(stage.Name, Console.Out, () => clock.Elapsed);
                IReadOnlyList<CheckResult> checks = await stage.RunAsync(settings, progress, cancel).ConfigureAwait(false);
                progress.Finish(checks.Count, checks.Count(c => c.Outcome == Outcome.Failed));
                results.AddRange(checks);
                if (StopsCampaign(stage, checks))
                    break;
            }
            return results;
        }
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = stages.ToDictionary(s => s, s => context.AddTask(Markup.Escape(s.Name), autoStart: false, maxValue: 1));
                foreach (IStage stage in stages)
                {
                    ProgressTask task = tasks[stage];
                    task.StartTask();
                    var progress = new LiveStageProgress(stage.Name, task);
                    IReadOnlyList<CheckResult> checks = await stage.RunAsync(settings, progress, cancel).ConfigureAwait(false);
                    progress.Finish(checks.Count, checks.Count(c => c.Outcome == Outcome.Failed));
                    results.AddRange(checks);
                    if (StopsCampaign(stage, checks))
                        break;
                }
            }).ConfigureAwait(false);
        return results;
    }

    private static bool StopsCampaign(IStage stage, IReadOnlyList<CheckResult> checks) =>
        stage is BuildStage && checks.Any(c => c.Outcome == Outcome.Failed);
}
