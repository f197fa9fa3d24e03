using Spectre.Console;

namespace AreaMalloc.Certify.Campaign;

/// <summary>Runs the stages one after the other under a live progress display; a failed build stops the campaign.</summary>
internal static class CampaignRunner
{
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(IReadOnlyList<IStage> stages, CampaignSettings settings, CancellationToken cancel)
    {
        var results = new List<CheckResult>();
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = stages.ToDictionary(s => s, s => context.AddTask(Markup.Escape(s.Name), autoStart: false, maxValue: 1));
                foreach (IStage stage in stages)
                {
                    ProgressTask task = tasks[stage];
                    task.StartTask();
                    IReadOnlyList<CheckResult> checks = await stage.RunAsync(settings, (done, total, current) =>
                    {
                        task.MaxValue = Math.Max(1, total);
                        task.Value = Math.Min(done, task.MaxValue);
                        task.Description = Markup.Escape(current is null ? $"{stage.Name}: {done:N0} done" : $"{stage.Name}: {current} ({done:N0} of {total:N0})");
                    }, cancel).ConfigureAwait(false);
                    int failed = checks.Count(c => c.Outcome == Outcome.Failed);
                    task.Description = Markup.Escape($"{stage.Name}: {checks.Count} checks, {failed} failed");
                    task.Value = task.MaxValue;
                    task.StopTask();
                    results.AddRange(checks);
                    if (stage is BuildStage && failed > 0)
                        break;
                }
            }).ConfigureAwait(false);
        return results;
    }
}
