namespace AreaMalloc.Certify.Campaign;

/// <summary>The campaign's stages, in order.</summary>
internal static class Stages
{
    public static IReadOnlyList<IStage> Campaign(bool mutation, bool bench)
    {
        var stages = new List<IStage>
        {
            new BuildStage(),
            new TestStage("properties", "properties/AreaMalloc.Properties.csproj", "Category!=Soak", "per test"),
            new TestStage("coyote scenarios", "concurrency-tests/AreaMalloc.ConcurrencyTests.csproj", "FullyQualifiedName~AreaMalloc", "per test"),
        };
        return stages;
    }
}
