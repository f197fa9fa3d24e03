namespace AreaMalloc.Certify.Campaign;

/// <summary>The campaign's stages, in order. Every test stage runs the test projects' own tests (one definition each).</summary>
internal static class Stages
{
    /// <summary>Tests that run real threads: the stress facts and the soak (the soak runs 10^7 operations at the certification budget).</summary>
    public const string RealThreadFilter = "FullyQualifiedName~StressFacts|Category=Soak";

    public static IReadOnlyList<IStage> Campaign(bool mutation, bool bench)
    {
        var stages = new List<IStage>
        {
            new BuildStage(),
            new TestStage("properties", "properties/AreaMalloc.Properties.csproj", "FullyQualifiedName!~StressFacts&Category!=Soak"),
            new TestStage("coyote scenarios", "concurrency-tests/AreaMalloc.ConcurrencyTests.csproj", "FullyQualifiedName~AreaMalloc"),
            new TestStage("real-thread stress", "properties/AreaMalloc.Properties.csproj", RealThreadFilter),
            ScriptStage.Coverage(),
        };
        if (mutation)
            stages.Add(ScriptStage.Mutation());
        if (bench)
            stages.Add(new BenchStage());
        return stages;
    }
}
