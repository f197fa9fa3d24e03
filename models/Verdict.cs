namespace AreaMalloc.Models;

/// <summary>
/// The model's judgement of one observed outcome. When <see cref="IsAllowed"/> the model has
/// already moved to its next state; on a violation the model is unchanged.
/// </summary>
/// <param name="IsAllowed">True when the outcome is one the specification allows.</param>
/// <param name="Message">
/// For a violation: the call, what was expected and what happened. For an allowed outcome: a
/// one-line trace of what the model recorded.
/// </param>
public sealed record Verdict(bool IsAllowed, string Message)
{
    /// <summary>The block the call created (malloc, calloc, successful realloc), or null.</summary>
    public BlockRecord? NewBlock { get; init; }

    /// <summary>The pool the call created (create_pool), or null.</summary>
    public PoolState? NewPool { get; init; }

    /// <summary>An allowed outcome.</summary>
    /// <param name="message">Trace line.</param>
    /// <returns>The verdict.</returns>
    public static Verdict Allowed(string message) => new(true, message);

    /// <summary>A violation.</summary>
    /// <param name="message">Expected versus actual.</param>
    /// <returns>The verdict.</returns>
    public static Verdict Violation(string message) => new(false, message);

    /// <summary>The message, prefixed with <c>allowed:</c> or <c>VIOLATION:</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => (IsAllowed ? "allowed: " : "VIOLATION: ") + Message;
}
