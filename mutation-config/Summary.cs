#:property PublishAot=false
// Per-component summary of a Stryker JSON report: for each allocator component (the globs of this folder's .jsonc
// files) the killed, timeout, survived and no-coverage counts and the score, then every survivor and uncovered mutant
// with its file, line, mutator and source line (what to kill next, or to show equivalent). Usage, from the root:
//   dotnet run mutation-config/Summary.cs -- artifacts/mutation/reports/mutation-report.json [--list]
// Score as Stryker counts it: (killed + timeout) / (killed + timeout + survived + no coverage).
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: dotnet run mutation-config/Summary.cs -- <mutation-report.json> [--list]");
    return 2;
}
bool list = args.Contains("--list");
if (!File.Exists(args[0]))
{
    Console.Error.WriteLine($"no Stryker report at {args[0]} (did Stryker finish? its json reporter writes reports/mutation-report.json)");
    return 1;
}
var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
string root = Directory.GetCurrentDirectory();

// component name -> its globs' folder names (every glob is of the form **/<Folder>/**/*.cs)
var folders = new List<(string Component, string Folder)>();
foreach (string file in Directory.GetFiles(Path.Combine(root, "mutation-config"), "*.jsonc").OrderBy(f => f, StringComparer.Ordinal))
{
    JsonObject part = JsonNode.Parse(File.ReadAllText(file), documentOptions: options)!.AsObject();
    string name = part["component"]!.GetValue<string>();
    foreach (JsonNode? glob in part["mutate"]!.AsArray())
    {
        Match m = Regex.Match(glob!.GetValue<string>(), @"^\*\*/([^/*]+)/");
        if (m.Success)
            folders.Add((name, "/" + m.Groups[1].Value + "/"));
    }
}
string ComponentOf(string path) => folders.FirstOrDefault(f => path.Replace('\\', '/').Contains(f.Folder, StringComparison.Ordinal)).Component ?? "other";

JsonObject report = JsonNode.Parse(File.ReadAllText(args[0]))!.AsObject();
var counts = new SortedDictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
var open = new List<string>();
foreach ((string path, JsonNode? fileNode) in report["files"]!.AsObject())
{
    string component = ComponentOf(path);
    string[] source = (fileNode!["source"]?.GetValue<string>() ?? "").Split('\n');
    foreach (JsonNode? mutant in fileNode["mutants"]!.AsArray())
    {
        string status = mutant!["status"]!.GetValue<string>();
        if (!counts.TryGetValue(component, out Dictionary<string, int>? c))
            counts[component] = c = new Dictionary<string, int>(StringComparer.Ordinal);
        c[status] = c.GetValueOrDefault(status) + 1;
        if (status is "Survived" or "NoCoverage")
        {
            int line = mutant["location"]!["start"]!["line"]!.GetValue<int>();
            string text = line - 1 < source.Length ? source[line - 1].Trim() : "";
            string relative = path.Replace('\\', '/');
            relative = relative[(relative.LastIndexOf("/allocator/", StringComparison.Ordinal) + 11)..];
            open.Add($"{component} | {relative}:{line} | {status} | {mutant["mutatorName"]} | {mutant["replacement"]} | {text}");
        }
    }
}

int Get(Dictionary<string, int> c, string s) => c.GetValueOrDefault(s);
string Score(Dictionary<string, int> c)
{
    int detected = Get(c, "Killed") + Get(c, "Timeout");
    int valid = detected + Get(c, "Survived") + Get(c, "NoCoverage");
    return valid == 0 ? "n/a" : $"{100.0 * detected / valid:F2}%";
}
Console.WriteLine("| component | tested | killed | timeout | survived | no coverage | ignored | compile error | score |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
var all = new Dictionary<string, int>(StringComparer.Ordinal);
foreach ((string component, Dictionary<string, int> c) in counts)
{
    foreach ((string s, int n) in c)
        all[s] = all.GetValueOrDefault(s) + n;
    int tested = Get(c, "Killed") + Get(c, "Timeout") + Get(c, "Survived") + Get(c, "NoCoverage");
    if (tested == 0)
        continue; // a component that was not mutated in this run
    Console.WriteLine($"| {component} | {tested} | {Get(c, "Killed")} | {Get(c, "Timeout")} | {Get(c, "Survived")} | {Get(c, "NoCoverage")} | {Get(c, "Ignored")} | {Get(c, "CompileError")} | {Score(c)} |");
}
int allTested = Get(all, "Killed") + Get(all, "Timeout") + Get(all, "Survived") + Get(all, "NoCoverage");
Console.WriteLine($"| **all** | {allTested} | {Get(all, "Killed")} | {Get(all, "Timeout")} | {Get(all, "Survived")} | {Get(all, "NoCoverage")} | {Get(all, "Ignored")} | {Get(all, "CompileError")} | **{Score(all)}** |");
if (list)
{
    Console.WriteLine();
    Console.WriteLine($"{open.Count} survived or uncovered mutants (component | file:line | status | mutator | replacement | source):");
    foreach (string line in open.OrderBy(l => l, StringComparer.Ordinal))
        Console.WriteLine(line);
}
return 0;
