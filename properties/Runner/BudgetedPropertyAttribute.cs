using FsCheck.Xunit;
using AreaMalloc.TestKit.Settings;

namespace AreaMalloc.Properties.Runner;

/// <summary>
/// A FsCheck.Xunit property whose number of cases comes from the suite's budget (<see cref="Budget"/>):
/// <see cref="Budget.CiCases"/> at the CI budget, scaled by <c>AREAMALLOC_BUDGET</c>. Set
/// <see cref="CiCases"/> for a property that needs another count at the CI budget. Everything else is
/// FsCheck's <see cref="PropertyAttribute"/>, <c>Replay = "(seed,gamma)"</c> included.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BudgetedPropertyAttribute : PropertyAttribute
{
    private int ciCases = Budget.CiCases;

    /// <summary>Uses the budget's default number of cases.</summary>
    public BudgetedPropertyAttribute() => MaxTest = Budget.Current.Scale(ciCases);

    /// <summary>Cases at the CI budget (scaled like every count).</summary>
    public int CiCases
    {
        get => ciCases;
        set
        {
            ciCases = value;
            MaxTest = Budget.Current.Scale(value);
        }
    }
}
