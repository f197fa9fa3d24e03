using System.Globalization;
using AreaMalloc.Certify.Campaign;

namespace AreaMalloc.Certify.Report;

/// <summary>Coverage, mutation and bench figures of a campaign, each saying where it comes from.</summary>
internal static class Figures
{
    /// <summary>The figures of <paramref name="checks"/>; the mutation score falls back to <paramref name="baseline"/>.</summary>
    public static FiguresEntry Of(IReadOnlyList<CheckResult> checks, MutationBaseline? baseline) =>
        new(Coverage(checks.FirstOrDefault(c => c.Stage == "coverage")), Mutation(checks.FirstOrDefault(c => c.Stage == "mutation"), baseline),
            Bench(checks.FirstOrDefault(c => c.Stage == "bench")));

    private static CoverageFigure Coverage(CheckResult? gate)
    {
        if (gate is null)
            return new CoverageFigure("not run", null, null, "the coverage gate did not run in this campaign");
        if (gate.Outcome == Outcome.Skipped)
            return new CoverageFigure("not run", null, null, gate.Details ?? "skipped");
        return new CoverageFigure(gate.Outcome == Outcome.Passed ? "passed" : "failed", Percent(gate, "line"), Percent(gate, "branch"),
            "allocator/ and models/, measured by .ci/coverage-gate over properties/ at the CI budget (minimum 95% line, 90% branch)");
    }

    private static MutationFigure Mutation(CheckResult? gate, MutationBaseline? baseline)
    {
        var none = new Dictionary<string, long>();
        if (gate is not null && gate.Outcome != Outcome.Skipped)
        {
            return new MutationFigure("this run", true, Percent(gate, "score"), null, null, none,
                gate.Outcome == Outcome.Passed ? "rerun in this campaign (--mutation): Stryker over the whole allocator"
                    : "rerun in this campaign (--mutation): the gate FAILED");
        }
        if (baseline is not null)
        {
            return new MutationFigure("baseline", false, baseline.Score, baseline.Commit, baseline.Date, baseline.Counts,
                $"not rerun: the score of the latest full run recorded in mutation-config/baseline/ (commit {baseline.Commit ?? "unknown"}, {baseline.Date ?? "date unknown"}); --mutation reruns it");
        }
        return new MutationFigure("none", false, null, null, null, none,
            "not rerun, and no full mutation run recorded (mutation-config/baseline/ holds none); --mutation runs one");
    }

    private static BenchFigure Bench(CheckResult? bench) => bench is null
        ? new BenchFigure("not run", new Dictionary<string, string>(), "not run in this campaign (--bench runs the quick benchmarks; speed is reported as ratios, never gated)")
        : new BenchFigure(bench.Outcome == Outcome.Passed ? "passed" : "failed", bench.Figures, "ratios pool/peer from bench/ --quick, reported, not gated");

    private static double? Percent(CheckResult check, string figure) =>
        check.Figures.TryGetValue(figure, out string? text)
        && double.TryParse(text.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
}

/// <summary>What the certificate does not certify: the limits of the method, and what this campaign left out.</summary>
internal static class Limits
{
    /// <summary>The limits of <paramref name="campaign"/>.</summary>
    public static IReadOnlyList<LimitEntry> Of(CampaignRecord campaign, IReadOnlyList<LawEntry> laws, FiguresEntry figures, int skipped)
    {
        var limits = new List<LimitEntry>
        {
            new("The Be Book's unsafe delete_pool race",
                "delete_pool racing calls on the same pool is shown to exist (Coyote finds it and its trace replays it), not certified absent: " +
                "the Be Book leaves it to the caller. Only pools made with safe deletion are certified safe against it."),
            new("Weak memory ordering",
                "Coyote explores sequentially consistent interleavings only; reorderings the hardware's memory model allows are outside its reach. " +
                "The real-thread stress and soak runs sample the real memory model, they prove nothing."),
            new("Interleavings between scheduling points",
                "Coyote switches tasks at locks, Interlocked and Volatile calls and the allocator's interleaving points; plain reads and writes " +
                "through pointers in between are not scheduling points."),
            new("Beyond the explored budget",
                "Properties and scenarios sample: the certificate covers the sequences, cases, schedules and operations counted here " +
                $"(budget {campaign.Budget}), not every possible one."),
            new("Kernel-only behaviour",
                "Physical contiguity (B_CONTIGUOUS), interrupt context and the user/kernel protection split have no meaning in a Linux process: " +
                "they are mapped as docs/SEMANTICS.md says, not certified."),
            new("A clone racing delete_area of its source",
                "clone_area takes its use of the source's memory under the registry's lock before it maps, which should make a clone " +
                "racing the source's deletion safe; no Coyote scenario explores that race, so it is not certified."),
            new("Fuzzing",
                "The fuzzer (fuzz/) does not run in the campaign; its seed corpus and kept findings are replayed as checks."),
        };
        if (figures.Mutation.Source != "this run")
            limits.Add(new("Mutation score", figures.Mutation.Note));
        if (figures.Bench.Status == "not run")
            limits.Add(new("Performance", figures.Bench.Note));
        if (figures.Coverage.Status == "not run")
            limits.Add(new("Coverage", figures.Coverage.Note));
        foreach (LawEntry law in laws.Where(l => l.Status == LawStatus.NotChecked))
            limits.Add(new($"Law {law.Id}", "no check of this campaign served it: " + law.Statement));
        if (skipped > 0)
            limits.Add(new("Skipped checks", string.Create(CultureInfo.InvariantCulture, $"{skipped} checks did not run (listed in the appendix)")));
        return limits;
    }
}
