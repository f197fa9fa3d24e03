using AreaMalloc.Certify.Campaign;

namespace AreaMalloc.Certify.Report;

/// <summary>What a campaign produced, before it becomes a certificate: where it ran, at which budget, how long, and every check.</summary>
/// <param name="Machine">Commit, date and machine.</param>
/// <param name="Budget">The value of AREAMALLOC_BUDGET.</param>
/// <param name="Elapsed">The campaign's wall time.</param>
/// <param name="Checks">Every check of every stage, in the order they ran.</param>
/// <param name="Options">The options the campaign was asked for (--mutation, --bench), for the record.</param>
internal sealed record CampaignRecord(MachineInfo Machine, string Budget, TimeSpan Elapsed, IReadOnlyList<CheckResult> Checks, IReadOnlyList<string> Options);
