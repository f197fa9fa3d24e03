using System.Text.RegularExpressions;

namespace AreaMalloc.MutationGate;

/// <summary>
/// What the incremental gate reruns, and why. <see cref="All"/>: everything (a shared input changed). Otherwise
/// <see cref="Rerun"/>: the allocator files whose content differs from the baseline (or that are new), and the files
/// holding mutants that tests of a changed test file covered or killed in the baseline run.
/// </summary>
/// <param name="All">Whether every component must be rerun.</param>
/// <param name="AllReasons">Why everything is rerun (empty when not).</param>
/// <param name="Rerun">Allocator file to the reasons it is rerun.</param>
/// <param name="Removed">Allocator files of the baseline that no longer exist (their mutants leave the score).</param>
/// <param name="Notes">Changes that rerun nothing, each with the reason.</param>
internal sealed record Plan(bool All, IReadOnlyList<string> AllReasons, SortedDictionary<string, SortedSet<string>> Rerun, IReadOnlyList<string> Removed, IReadOnlyList<string> Notes)
{
    /// <summary>Whether Stryker has anything to run.</summary>
    public bool RunsNothing => !All && Rerun.Count == 0;

    /// <summary>The plan for the working tree whose input hashes are <paramref name="current"/>.</summary>
    /// <param name="baseline">The committed baseline.</param>
    /// <param name="current">Every input file now, with its blob id.</param>
    /// <param name="mutateGlobs">The components' mutate globs (relative to allocator/).</param>
    /// <param name="classesIn">The class names a current test-project file declares.</param>
    public static Plan Make(Baseline baseline, IReadOnlyDictionary<string, string> current, IReadOnlyList<Regex> mutateGlobs, Func<string, IReadOnlySet<string>> classesIn)
    {
        var allReasons = new List<string>();
        var rerun = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var removed = new List<string>();
        var notes = new List<string>();
        void Add(string file, string reason)
        {
            if (!rerun.TryGetValue(file, out SortedSet<string>? reasons))
                rerun[file] = reasons = new SortedSet<string>(StringComparer.Ordinal);
            reasons.Add(reason);
        }

        IEnumerable<string> paths = baseline.Hashes.Keys.Union(current.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            bool before = baseline.Hashes.TryGetValue(path, out string? old), now = current.TryGetValue(path, out string? hash);
            if (before && now && old == hash)
                continue;
            string change = !before ? "new" : !now ? "deleted" : "changed";
            switch (Inputs.KindOf(path, mutateGlobs))
            {
                case InputKind.Mutated when !now:
                    removed.Add(path);
                    break;
                case InputKind.Mutated:
                    Add(path, $"{change} since the baseline");
                    break;
                case InputKind.NotMutated:
                    notes.Add($"{path} {change}: no component mutates it (its tests run under the mutated files' mutants)");
                    break;
                case InputKind.Shared:
                    allReasons.Add($"{path} {change}: shared by every test or part of the gate's configuration");
                    break;
                case InputKind.TestProject:
                    IReadOnlySet<string> classes = now ? classesIn(path) : new HashSet<string>();
                    var tests = new HashSet<int>();
                    for (int i = 0; i < baseline.Tests.Count; i++)
                    {
                        TestCase t = baseline.Tests[i];
                        if (t.File == path || (TestClasses.ClassOf(t.Name) is { } cls && classes.Contains(cls)))
                            tests.Add(i);
                    }
                    if (tests.Count == 0 && !before)
                    {
                        notes.Add($"{path} new, no test of the baseline in it: it adds tests, which cannot undo the baseline's kills");
                        break;
                    }
                    if (tests.Count == 0)
                    {
                        allReasons.Add($"{path} {change}: it declares no test of the baseline, so it is shared by the tests");
                        break;
                    }
                    int files = 0;
                    foreach ((string file, List<Mutant> mutants) in baseline.Files)
                    {
                        if (mutants.Any(m => m.KilledBy.Any(tests.Contains) || (m.Status is "Killed" or "Survived" or "Timeout" && (m.CoveredBy is null || m.CoveredBy.Any(tests.Contains)))))
                        {
                            Add(file, $"mutants covered by tests of {path} ({change})");
                            files++;
                        }
                    }
                    if (files == 0)
                        notes.Add($"{path} {change}: its {tests.Count} tests covered no mutant in the baseline");
                    break;
            }
        }
        return new Plan(allReasons.Count > 0, allReasons, rerun, removed, notes);
    }

    /// <summary>The Stryker mutate globs of the rerun files (relative to allocator/).</summary>
    public IReadOnlyList<string> MutateGlobs() =>
        Rerun.Keys.Select(f => "**/" + f["allocator/".Length..]).ToList();

    /// <summary>The plan as lines for the console.</summary>
    public IEnumerable<string> Describe(Baseline baseline)
    {
        if (All)
        {
            yield return $"plan: rerun everything ({AllReasons.Count} shared input(s) changed since the baseline):";
            foreach (string reason in AllReasons)
                yield return $"  {reason}";
        }
        else if (Rerun.Count == 0)
        {
            yield return "plan: nothing to rerun: every mutated file and test matches the baseline";
        }
        else
        {
            int mutants = Rerun.Keys.Sum(f => baseline.Files.GetValueOrDefault(f)?.Count(m => m.Valid) ?? 0);
            int total = baseline.Mutants.Count(m => m.Valid);
            yield return $"plan: rerun {Rerun.Count} file(s), {mutants} of the baseline's {total} valid mutants (new files: counted after the run):";
            foreach ((string file, SortedSet<string> reasons) in Rerun)
                yield return $"  {file} ({baseline.Files.GetValueOrDefault(file)?.Count(m => m.Valid) ?? 0} mutants in the baseline): {string.Join("; ", reasons)}";
        }
        foreach (string file in Removed)
            yield return $"  {file} deleted: its {baseline.Files.GetValueOrDefault(file)?.Count ?? 0} mutants leave the score";
        foreach (string note in Notes)
            yield return $"  note: {note}";
    }
}
