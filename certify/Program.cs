using System.CommandLine;
using System.Diagnostics;
using AreaMalloc.Certify.Campaign;
using AreaMalloc.Certify.Report;
using Spectre.Console;

var budget = new Option<string>("--budget")
{
    Description = "AREAMALLOC_BUDGET for every test stage: 'certification' (the default: at least 100x CI's sequences and iterations), 'ci', or a multiplier of CI's budget.",
    DefaultValueFactory = _ => "certification",
};
var mutation = new Option<bool>("--mutation") { Description = "Also run the Stryker mutation gate (slow: tens of minutes). Without it the certificate reports the latest full run recorded in mutation-config/baseline/, marked 'not rerun'." };
var bench = new Option<bool>("--bench") { Description = "Also run the quick benchmarks (about 2 minutes)." };
var output = new Option<string>("--output")
{
    Description = "Where the certificate (report.md, report.json, report.html) and its working files go.",
    DefaultValueFactory = _ => Repository.PathOf("artifacts", "certification"),
};
var progressMode = new Option<ProgressMode>("--progress")
{
    Description = "How progress is shown: auto (live bars in an interactive terminal, plain lines in a pipe, a file or CI), live, or plain (a line per stage at most every 30 s).",
    DefaultValueFactory = _ => ProgressMode.Auto,
};

var root = new RootCommand("Runs the AreaMalloc certification campaign and writes the certificate (report.md, report.json, report.html) to artifacts/certification/. Exits 0 when certified, 1 when a check failed or a law was not checked.")
{
    budget, mutation, bench, output, progressMode,
};
root.SetAction(async (parse, cancel) =>
{
    var settings = new CampaignSettings(parse.GetValue(budget)!, "Release", Path.GetFullPath(parse.GetValue(output)!));
    var clock = Stopwatch.StartNew();
    bool withMutation = parse.GetValue(mutation), withBench = parse.GetValue(bench);
    IReadOnlyList<IStage> stages = Stages.Campaign(withMutation, withBench);
    ProgressMode mode = parse.GetValue(progressMode);
    if (!CampaignRunner.IsLive(mode) && Console.IsOutputRedirected)
        AnsiConsole.Profile.Width = 160; // a log has no width: do not wrap its lines at Spectre's default of 80
    AnsiConsole.MarkupLine($"[bold]AreaMalloc certification[/]: {stages.Count} stages ({Markup.Escape(string.Join(", ", stages.Select(s => s.Name)))}) at AREAMALLOC_BUDGET={Markup.Escape(settings.Budget)}");
    IReadOnlyList<CheckResult> checks = await CampaignRunner.RunAsync(stages, settings, mode, clock, cancel);
    var options = new List<string>();
    if (withMutation)
        options.Add("--mutation");
    if (withBench)
        options.Add("--bench");
    var campaign = new CampaignRecord(MachineInfo.Read(Repository.Root), settings.Budget, clock.Elapsed, checks, options);
    CertificateDocument certificate = CertificateBuilder.Build(campaign, MutationBaseline.Find(Repository.PathOf(MutationBaseline.Folder)));
    CertificateFiles.Write(certificate, settings.OutputDirectory);
    ConsoleSummary.Print(certificate);
    CertificateFiles.Checked written = CertificateFiles.Check(certificate, settings.OutputDirectory, installBrowser: true);
    foreach (string error in written.SchemaErrors)
        AnsiConsole.MarkupLine($"[red]report.json does not match certify/report.schema.json[/]: {Markup.Escape(error)}");
    if (written.SchemaErrors.Count == 0)
        AnsiConsole.MarkupLine("report.json matches certify/report.schema.json");
    if (written.Browser is { } seen)
    {
        AnsiConsole.MarkupLine(seen.Passed
            ? $"report.html checked in Chromium: verdict '{Markup.Escape(seen.Verdict ?? "")}' and {seen.LawRows} law rows shown"
            : $"[red]report.html failed its browser check[/]: {Markup.Escape(string.Join("; ", seen.Problems))}");
    }
    else
    {
        AnsiConsole.MarkupLine(written.BrowserFailed
            ? $"[red]report.html failed its browser check[/]: {Markup.Escape(written.BrowserNote ?? "")}"
            : $"[yellow]report.html was not checked in a browser[/]: {Markup.Escape(written.BrowserNote ?? "")}");
    }
    AnsiConsole.MarkupLine($"certificate: {Markup.Escape(Path.Combine(settings.OutputDirectory, "report.md"))}, report.json, report.html");
    return certificate.Passed && written.Passed ? 0 : 1;
});

var scenario = new Argument<string>("scenario") { Description = "The scenario: malloc-free, cross-task-free, malloc-free-cached, cross-task-free-cached, magazines, shared-magazine, create-delete-pools, module-get-put, delete-race, delete-race-safe, safe-dispose, pool-lock." };
var strategy = new Option<string>("--strategy") { Description = "Coyote's exploration strategy: default, random, pct (prioritization) or probabilistic.", DefaultValueFactory = _ => "default" };
var iterations = new Option<uint>("--iterations") { Description = "The most iterations to explore; the hunt stops at the first bug.", DefaultValueFactory = _ => 10_000 };
var seed = new Option<uint?>("--seed") { Description = "The random seed of the exploration (default: a new one)." };
var hunt = new Command("hunt", "Runs one Coyote scenario for as many iterations as asked, stops at the first bug, saves its trace and prints the replay command. Exits 2 when a bug was found.")
{
    scenario, strategy, iterations, seed,
};
hunt.SetAction(parse => Interactive.Hunt(parse.GetValue(scenario)!, parse.GetValue(strategy)!, parse.GetValue(iterations), parse.GetValue(seed)));

var target = new Argument<string>("trace-or-seed") { Description = "A Coyote .trace file (artifacts/coyote/...), or an FsCheck seed of the model-based property such as \"(123,456)\" or \"(123,456,20)\"." };
var replay = new Command("replay", "Replays a Coyote trace or an FsCheck seed and shows the failing steps.") { target };
replay.SetAction(parse => Interactive.Replay(parse.GetValue(target)!));

root.Subcommands.Add(hunt);
root.Subcommands.Add(replay);
return await root.Parse(args).InvokeAsync();
