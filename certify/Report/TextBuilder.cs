using System.Text;

namespace AreaMalloc.Certify.Report;

/// <summary>
/// A StringBuilder that takes finished strings only: the reports format their numbers once, in the invariant culture
/// they render under, and append the text (so no append depends on the user's locale).
/// </summary>
internal sealed class TextBuilder
{
    private readonly StringBuilder _text = new();

    /// <summary>Appends <paramref name="text"/>.</summary>
    public TextBuilder Add(string text)
    {
        _text.Append(text);
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => _text.ToString();
}
