using AreaMalloc.TestKit.ModelBased;
using AreaMalloc.TestKit.ModelBased.Commands;
using AreaMalloc.TestKit.ModelBased.UnderTest;

namespace AreaMalloc.TestKit.Fuzzing;

/// <summary>
/// The fuzz target: decodes the input (<see cref="CommandDecoder"/>) and runs it against the real allocator through
/// the model-based driver, with every check of the model-based property; then requires that putting the module away
/// left no area mapped. A violation throws <see cref="FuzzViolationException"/> (a crash, to AFL).
/// </summary>
public static class FuzzTarget
{
    /// <summary>Runs one input.</summary>
    /// <param name="input">The fuzzer's bytes.</param>
    /// <returns>How many commands the input decoded to.</returns>
    /// <exception cref="FuzzViolationException">The allocator disagreed with the model, or leaked an area.</exception>
    public static int Run(ReadOnlySpan<byte> input)
    {
        IReadOnlyList<Command> commands = CommandDecoder.Decode(input);
        var sut = new RealModule();
        string? failure;
        using (var driver = new SequenceDriver(sut, new RunCounters(), keepTrace: true))
        {
            foreach (Command command in commands)
            {
                if (driver.Execute(command) is not null)
                {
                    break;
                }
            }

            failure = driver.Failure is null ? null
                : driver.Failure + Environment.NewLine + string.Join(Environment.NewLine, driver.Trace);
        }

        if (failure is null && sut.MappedAreas != 0)
        {
            failure = $"{sut.MappedAreas} areas still mapped after the last put_module";
        }

        return failure is null ? commands.Count : throw new FuzzViolationException(failure);
    }
}

/// <summary>The allocator disagreed with the model on a fuzzer's input.</summary>
public sealed class FuzzViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FuzzViolationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The violation and the trace.</param>
    public FuzzViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The violation.</param>
    /// <param name="inner">The cause.</param>
    public FuzzViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
