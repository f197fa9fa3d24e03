namespace AreaMalloc.MutationGate;

/// <summary>
/// One mutant as the gate needs it: where it is, what it did, its verdict and the tests that killed or covered it
/// (indices into the run's test table; <see cref="CoveredBy"/> null = every test, as for a static mutant).
/// </summary>
/// <param name="Id">Stryker's id in its run (ids are not stable between runs: mutants are matched by place, mutator and replacement).</param>
/// <param name="Mutator">Stryker's mutator name (Equality, Arithmetic, ...).</param>
/// <param name="Replacement">The replacement source text.</param>
/// <param name="Status">Killed, Survived, Timeout, NoCoverage, Ignored, CompileError, ...</param>
/// <param name="Line">First line (1-based).</param>
/// <param name="Column">First column.</param>
/// <param name="EndLine">Last line.</param>
/// <param name="EndColumn">End column.</param>
/// <param name="KilledBy">Tests that failed under the mutant.</param>
/// <param name="CoveredBy">Tests that reached the mutant; null when every test runs against it.</param>
/// <param name="Text">The trimmed source line for a mutant that was not detected (to match it after lines moved), else null.</param>
internal sealed record Mutant(
    string Id, string Mutator, string Replacement, string Status, int Line, int Column, int EndLine, int EndColumn,
    IReadOnlyList<int> KilledBy, IReadOnlyList<int>? CoveredBy, string? Text)
{
    /// <summary>Detected: killed, or a timeout (a crash or a hang counts as detected, as Stryker counts it).</summary>
    public bool Detected => Status is "Killed" or "Timeout";

    /// <summary>Valid for the score: detected, survived or not covered (ignored and compile errors are not).</summary>
    public bool Valid => Detected || Undetected;

    /// <summary>Not detected: a survivor or a mutant no test reached.</summary>
    public bool Undetected => Status is "Survived" or "NoCoverage";

    /// <summary>What identifies an undetected mutant across runs: mutator, replacement and its source line's text.</summary>
    public string Signature => $"{Mutator}\u001f{Replacement}\u001f{Text}";
}

/// <summary>A test of the run: its full name and the test-project file that declares it (null when unknown).</summary>
/// <param name="Name">The test's name as Stryker reports it (namespace, class, method, and arguments for a case).</param>
/// <param name="File">The repository-relative file that declares its class, or null.</param>
internal sealed record TestCase(string Name, string? File);

/// <summary>Counts and score over a set of mutants, as Stryker counts them.</summary>
internal static class Score
{
    /// <summary>Detected / valid in percent; 100 when nothing is valid.</summary>
    public static double Of(IEnumerable<Mutant> mutants)
    {
        int detected = 0, valid = 0;
        foreach (Mutant m in mutants)
        {
            if (m.Valid)
                valid++;
            if (m.Detected)
                detected++;
        }
        return valid == 0 ? 100 : 100.0 * detected / valid;
    }

    /// <summary>Mutants per status, names in camel case (killed, survived, timeout, noCoverage, ignored, compileError, ...).</summary>
    public static SortedDictionary<string, long> Counts(IEnumerable<Mutant> mutants)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (Mutant m in mutants)
        {
            string key = char.ToLowerInvariant(m.Status[0]) + m.Status[1..];
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }
}
