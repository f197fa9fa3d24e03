using FsCheck;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace AreaMalloc.Properties.Runner;

/// <summary>
/// A FsCheck runner that prints nothing and keeps the final <see cref="TestResult"/>, so that a property's
/// entry point can build its own report (shrunk commands, replay seed, regression test) instead of FsCheck's.
/// </summary>
internal sealed class CapturingRunner : IRunner
{
    /// <summary>The result of the last property run, or null before it finished.</summary>
    public TestResult? Result { get; private set; }

    /// <summary>Shrink steps FsCheck accepted.</summary>
    public int Shrinks { get; private set; }

    public void OnStartFixture(Type t)
    {
    }

    public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every)
    {
    }

    public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) => Shrinks++;

    public void OnFinished(string name, TestResult testResult) => Result = testResult;

    /// <summary>Runs <paramref name="property"/> under <paramref name="config"/> and returns FsCheck's verdict.</summary>
    public static (TestResult Result, int Shrinks) Run(Property property, Config config)
    {
        var runner = new CapturingRunner();
        Check.One(config.WithRunner(runner), property);
        return (runner.Result ?? throw new InvalidOperationException("FsCheck finished without a result"), runner.Shrinks);
    }
}
