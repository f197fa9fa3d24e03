// The incremental mutation gate (called by .ci/mutation-gate; see docs/MUTATION.md). Commands, from the repository root:
//   plan   <composed stryker-config.json> <plan.txt>   print what must be rerun, restrict the config to it, write
//                                                     "none", "files" or "all" to plan.txt
//   judge  <report.json|-> [--full]                   merge the rerun into the baseline and judge the whole allocator
//   refresh <report.json>                             write mutation-config/baseline/baseline.json from a full run
// Exit codes: 0 passed, 1 failed (the reasons and every failing survivor are printed), 2 bad input or configuration.
using System.Diagnostics;
using System.Globalization;
using AreaMalloc.MutationGate;

string root = Directory.GetCurrentDirectory();
string baselinePath = Path.Combine(root, "mutation-config", "baseline", Baseline.FileName);
try
{
    return args switch
    {
        ["plan", string config, string planFile] => PlanCommand(config, planFile),
        ["judge", string report, .. var rest] => JudgeCommand(report == "-" ? null : report, rest.Contains("--full")),
        ["refresh", string report] => RefreshCommand(report),
        _ => Usage(),
    };
}
catch (InvalidDataException bad)
{
    Console.Error.WriteLine($"mutation gate: {bad.Message}");
    return 2;
}

int Usage()
{
    Console.Error.WriteLine("usage: mutation-gate plan <stryker-config.json> <plan.txt> | judge <report.json|-> [--full] | refresh <report.json>");
    return 2;
}

int PlanCommand(string config, string planFile)
{
    Settings settings = Settings.Read(root);
    if (!File.Exists(baselinePath))
    {
        // No baseline to compare with: everything is rerun (and judged as the full gate judges it).
        Console.WriteLine($"plan: rerun everything: there is no baseline at {Path.GetRelativePath(root, baselinePath)} (take one with `bash .ci/mutation-gate --full --refresh-baseline`)");
        File.WriteAllText(planFile, "all");
        return 0;
    }
    Baseline baseline = Baseline.Load(baselinePath);
    var current = Inputs.Hash(root);
    Plan plan = Plan.Make(baseline, current, settings.MutateGlobs, ClassesIn);
    Console.WriteLine($"mutation gate: baseline {Short(baseline.Commit)} of {baseline.Date} ({baseline.Mutants.Count(m => m.Valid)} valid mutants, {Pct(Score.Of(baseline.Mutants))})");
    foreach (string line in plan.Describe(baseline))
        Console.WriteLine(line);
    if (!plan.All && plan.Rerun.Count > 0)
        Settings.RestrictMutate(config, plan.MutateGlobs());
    File.WriteAllText(planFile, plan.All ? "all" : plan.Rerun.Count > 0 ? "files" : "none");
    return 0;
}

int JudgeCommand(string? reportPath, bool full)
{
    Settings settings = Settings.Read(root);
    // Without a baseline the plan reran everything: it is judged as the full gate (which takes the first baseline).
    full |= !File.Exists(baselinePath);
    Baseline baseline = !File.Exists(baselinePath)
        ? new Baseline("none", "never", new(StringComparer.Ordinal), [], new(StringComparer.Ordinal))
        : Baseline.Load(baselinePath);
    var current = Inputs.Hash(root);
    Plan plan = full
        ? new Plan(true, ["the full gate"], new(StringComparer.Ordinal), [], [])
        : Plan.Make(baseline, current, settings.MutateGlobs, ClassesIn);
    StrykerReport? report = reportPath is null ? null : StrykerReport.Read(reportPath, root, TestClasses.Scan(root, current.Keys));
    Verdict verdict = Verdict.Judge(baseline, plan, report, current, settings.MutateGlobs, settings.BreakAt, settings.Floor, incremental: !full);
    int valid = verdict.FromBaseline + verdict.Rerun;
    Console.WriteLine($"mutation gate: whole-allocator score {Pct(verdict.Score)} over {valid} valid mutants ({verdict.Rerun} rerun, {verdict.FromBaseline} from the baseline {Short(baseline.Commit)} of {baseline.Date}); break {Pct(settings.BreakAt)}, floor {Pct(settings.Floor)}");
    foreach (NewSurvivor s in verdict.NewSurvivors)
        Console.WriteLine($"  {(full ? "new since the baseline" : "NEW SURVIVOR")}: {s}");
    foreach (string failure in verdict.Failures)
        Console.WriteLine($"mutation gate FAILED: {failure}");
    if (verdict.Passed)
        Console.WriteLine("mutation gate: passed");
    return verdict.Passed ? 0 : 1;
}

int RefreshCommand(string reportPath)
{
    var current = Inputs.Hash(root);
    StrykerReport report = StrykerReport.Read(reportPath, root, TestClasses.Scan(root, current.Keys));
    string commit = Git("rev-parse", "HEAD");
    string dirty = Git("status", "--porcelain", "--", "allocator", "properties", "testkit", "models", "mutation-config", "stryker-config.json");
    var baseline = new Baseline(commit, DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), current, report.Tests, report.Files);
    Directory.CreateDirectory(Path.GetDirectoryName(baselinePath)!);
    string json = baseline.ToJson();
    File.WriteAllText(baselinePath, json);
    Console.WriteLine($"mutation gate: wrote {Path.GetRelativePath(root, baselinePath)} ({json.Length / 1024} KB): {Pct(Score.Of(baseline.Mutants))} at {Short(commit)}, {report.Tests.Count} tests, {report.Files.Count} files");
    if (dirty.Length > 0)
        Console.WriteLine("mutation gate: note: the working tree had uncommitted changes to inputs; the hashes are of the working tree, the commit is HEAD");
    return 0;
}

IReadOnlySet<string> ClassesIn(string path) => TestClasses.DeclaredIn(File.ReadAllText(Path.Combine(root, path)));

static string Short(string commit) => commit.Length > 10 ? commit[..10] : commit;

static string Pct(double v) => v.ToString("0.00", CultureInfo.InvariantCulture) + "%";

string Git(params string[] arguments)
{
    var start = new ProcessStartInfo("git", ["-C", root, .. arguments]) { RedirectStandardOutput = true };
    using Process git = Process.Start(start) ?? throw new InvalidDataException("git could not be started");
    string output = git.StandardOutput.ReadToEnd().Trim();
    git.WaitForExit();
    return git.ExitCode == 0 ? output : throw new InvalidDataException($"git {string.Join(' ', arguments)} failed in {root}");
}
