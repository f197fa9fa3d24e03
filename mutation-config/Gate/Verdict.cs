using System.Globalization;
using System.Text.RegularExpressions;

namespace AreaMalloc.MutationGate;

/// <summary>An undetected mutant of a rerun that the baseline does not explain (file, line, mutator, replacement).</summary>
/// <param name="File">Repository-relative file.</param>
/// <param name="Mutant">The mutant.</param>
internal sealed record NewSurvivor(string File, Mutant Mutant)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{File}:{Mutant.Line} {Mutant.Mutator} -> `{Mutant.Replacement}` ({Mutant.Status}): {Mutant.Text}";
}

/// <summary>
/// The gate's judgement of the merged run: the baseline's mutants for files not rerun, the rerun's mutants for the
/// rerun files (everything when the plan reruns all). Fails when the whole allocator's score is below the break
/// threshold or the floor, when a mutated file differs from the baseline and was not rerun (a stale baseline), or, in
/// the incremental gate, on an undetected mutant of a rerun file whose mutator, replacement and source line were not
/// undetected in the baseline (a new survivor).
/// </summary>
/// <param name="Merged">File to its mutants after the merge.</param>
/// <param name="Score">The whole allocator's score, percent.</param>
/// <param name="FromBaseline">Valid mutants taken from the baseline.</param>
/// <param name="Rerun">Valid mutants that were rerun.</param>
/// <param name="Stale">Mutated files whose content differs from the baseline and were not rerun.</param>
/// <param name="NewSurvivors">Undetected mutants the baseline does not explain.</param>
/// <param name="Failures">Why the gate fails (empty when it passes).</param>
internal sealed record Verdict(SortedDictionary<string, List<Mutant>> Merged, double Score, int FromBaseline, int Rerun,
    IReadOnlyList<string> Stale, IReadOnlyList<NewSurvivor> NewSurvivors, IReadOnlyList<string> Failures)
{
    /// <summary>Whether the gate passes.</summary>
    public bool Passed => Failures.Count == 0;

    /// <summary>Judges <paramref name="rerun"/> (null when nothing ran) merged into <paramref name="baseline"/> by <paramref name="plan"/>.</summary>
    /// <param name="baseline">The committed baseline.</param>
    /// <param name="plan">The plan the rerun followed.</param>
    /// <param name="rerun">The rerun's report (null when the plan ran nothing).</param>
    /// <param name="current">Every input file now, with its blob id.</param>
    /// <param name="mutateGlobs">The components' mutate globs.</param>
    /// <param name="breakAt">Stryker's break threshold (percent).</param>
    /// <param name="floor">The score floor (percent).</param>
    /// <param name="incremental">Whether new survivors fail the gate (the incremental gate) or are only listed (the full gate).</param>
    public static Verdict Judge(Baseline baseline, Plan plan, StrykerReport? rerun, IReadOnlyDictionary<string, string> current,
        IReadOnlyList<Regex> mutateGlobs, double breakAt, double floor, bool incremental)
    {
        var merged = new SortedDictionary<string, List<Mutant>>(StringComparer.Ordinal);
        var rerunFiles = new HashSet<string>(StringComparer.Ordinal);
        if (plan.All)
        {
            foreach ((string file, List<Mutant> mutants) in rerun?.Files ?? [])
            {
                merged[file] = mutants;
                rerunFiles.Add(file);
            }
        }
        else
        {
            foreach ((string file, List<Mutant> mutants) in baseline.Files)
            {
                if (!plan.Rerun.ContainsKey(file) && !plan.Removed.Contains(file))
                    merged[file] = mutants;
            }
            foreach (string file in plan.Rerun.Keys)
            {
                merged[file] = rerun?.Files.GetValueOrDefault(file) ?? [];
                rerunFiles.Add(file);
            }
        }

        // A mutated file whose content is not the baseline's and whose mutants were not rerun: never passes silently.
        // A full run (the plan reruns everything and Stryker reported) leaves nothing stale.
        var stale = plan.All ? [] : current.Keys.Union(baseline.Hashes.Keys, StringComparer.Ordinal)
            .Where(p => Inputs.KindOf(p, mutateGlobs) == InputKind.Mutated && current.ContainsKey(p)
                && baseline.Hashes.GetValueOrDefault(p) != current[p] && !rerunFiles.Contains(p))
            .Order(StringComparer.Ordinal).ToList();
        if (plan.All && rerun is null)
            stale.Insert(0, "every file (the plan reruns everything and there is no rerun report)");

        var newSurvivors = new List<NewSurvivor>();
        foreach (string file in rerunFiles.Order(StringComparer.Ordinal))
        {
            var explained = (baseline.Files.GetValueOrDefault(file) ?? []).Where(m => m.Undetected).GroupBy(m => m.Signature)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            foreach (Mutant m in merged[file].Where(m => m.Undetected).OrderBy(m => m.Line))
            {
                if (explained.GetValueOrDefault(m.Signature) > 0)
                    explained[m.Signature]--;
                else
                    newSurvivors.Add(new NewSurvivor(file, m));
            }
        }

        double score = MutationGate.Score.Of(merged.Values.SelectMany(m => m));
        var failures = new List<string>();
        string Pct(double v) => v.ToString("0.00", CultureInfo.InvariantCulture) + "%";
        if (score < breakAt)
            failures.Add($"the whole allocator's score {Pct(score)} is below the break threshold {Pct(breakAt)} (stryker-config.json)");
        if (score < floor)
            failures.Add($"the whole allocator's score {Pct(score)} is below the floor {Pct(floor)} (mutation-config/gate.json)");
        if (stale.Count > 0)
            failures.Add($"the baseline does not match {stale.Count} mutated file(s) that were not rerun: {string.Join(", ", stale)}");
        if (incremental && newSurvivors.Count > 0)
            failures.Add($"{newSurvivors.Count} new survivor(s) in the rerun files, not undetected in the baseline");
        int fromBaseline = merged.Where(f => !rerunFiles.Contains(f.Key)).Sum(f => f.Value.Count(m => m.Valid));
        int rerunCount = merged.Where(f => rerunFiles.Contains(f.Key)).Sum(f => f.Value.Count(m => m.Valid));
        return new Verdict(merged, score, fromBaseline, rerunCount, stale, newSurvivors, failures);
    }
}
