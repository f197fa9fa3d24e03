namespace AreaMalloc.TestKit.Specs;

/// <summary>
/// Marks a test as exercising one row of a table of docs/SEMANTICS.md, by the row's name (the first column, e.g.
/// <c>area-exact-address</c> or <c>create_area.B_EXACT_ADDRESS.unaligned</c>). A certify-tests fact parses the tables
/// and collects these attributes from the test assemblies: it names every row with no test and every attribute that
/// names no row, so the table and the tests stay in step.
/// </summary>
/// <param name="row">The row's name, as in the table's first column (without the backticks).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class SpecRowAttribute(string row) : Attribute
{
    /// <summary>The row's name.</summary>
    public string Row { get; } = row;
}
