using Steer.Linux.Netlink;

namespace Steer.Routing.Model;

/// <summary>A Steer route whose key (table, destination) stays but whose next hop changes.</summary>
public sealed record RouteReplacement(Route Old, Route New);

/// <summary>A sysctl Steer sets (<see cref="Restore"/> false) or gives back its original value.</summary>
public sealed record SysctlChange(string Key, string? Current, string Value, bool Restore)
{
    public string DisplayKey => Key.Replace('/', '.');
}

/// <summary>What Steer's chains in <c>inet steer</c> become: <see cref="Desired"/> empty removes them.</summary>
public sealed record MarkChange(IReadOnlyList<MarkBinding> Current, IReadOnlyList<MarkBinding> Desired, string? Drift);

/// <summary>
/// Exactly what applying a configuration changes: the only thing <c>steer plan</c> prints and
/// the only thing apply and reconcile do. <see cref="Collisions"/> non-empty means it must not be
/// applied (a foreign rule or route sits where Steer would write).
/// </summary>
public sealed record RoutePlanDiff(
    IReadOnlyList<Route> AddRoutes,
    IReadOnlyList<RouteReplacement> ReplaceRoutes,
    IReadOnlyList<Route> DeleteRoutes,
    IReadOnlyList<Rule> AddRules,
    IReadOnlyList<Rule> DeleteRules,
    MarkChange? Marks,
    IReadOnlyList<SysctlChange> Sysctls,
    IReadOnlyList<string> Collisions,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notes)
{
    public bool IsEmpty =>
        AddRoutes.Count == 0 && ReplaceRoutes.Count == 0 && DeleteRoutes.Count == 0 && AddRules.Count == 0
        && DeleteRules.Count == 0 && Marks is null && Sysctls.Count == 0;

    /// <summary>Whether it may be applied: no collision, no problem.</summary>
    public bool CanApply => Collisions.Count == 0 && Problems.Count == 0;

    public int ChangeCount =>
        AddRoutes.Count + ReplaceRoutes.Count + DeleteRoutes.Count + AddRules.Count + DeleteRules.Count
        + (Marks is null ? 0 : Math.Max(1, Marks.Desired.Except(Marks.Current).Count() + Marks.Current.Except(Marks.Desired).Count()))
        + Sysctls.Count;
}
