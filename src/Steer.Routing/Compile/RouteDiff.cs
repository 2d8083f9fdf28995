using Steer.Linux.Netlink;
using Steer.Policy.Configuration;
using Steer.Routing.Model;

namespace Steer.Routing.Compile;

/// <summary>
/// Desired against actual, touching only what is Steer's: routes and rules with
/// <see cref="Ownership.Protocol"/>, Steer's nft chains, and sysctls Steer set. Pure.
/// </summary>
public static class RouteDiff
{
    /// <param name="savedSysctls">Sysctls Steer changed earlier, with their original values.</param>
    public static RoutePlanDiff Compute(DesiredState desired, ActualState actual, RoutingRanges ranges,
        IReadOnlyDictionary<string, string> savedSysctls, HostFacts? facts = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(savedSysctls);
        facts ??= HostFacts.Empty;

        // Routes, by key: a table holds one route per destination (and metric, which Steer never sets).
        var ownedRoutes = actual.Routes.Where(r => r.Protocol == Ownership.Protocol).ToList();
        var addRoutes = new List<Route>();
        var replaceRoutes = new List<RouteReplacement>();
        foreach (var want in desired.Routes)
        {
            int at = ownedRoutes.FindIndex(r => SameKey(r, want));
            if (at < 0)
            {
                addRoutes.Add(want);
                continue;
            }
            if (!SameRoute(ownedRoutes[at], want))
                replaceRoutes.Add(new RouteReplacement(ownedRoutes[at], want));
            ownedRoutes.RemoveAt(at);
        }
        // Removed in reverse: default routes before the connected routes their gateways need.
        var deleteRoutes = ownedRoutes.OrderBy(r => r.Destination.PrefixLength).ToList();

        var ownedRules = actual.Rules.Where(r => r.Protocol == Ownership.Protocol).ToList();
        var addRules = new List<Rule>();
        foreach (var want in desired.Rules)
        {
            int at = ownedRules.FindIndex(r => SameRule(r, want));
            if (at < 0)
                addRules.Add(want);
            else
                ownedRules.RemoveAt(at);
        }

        MarkChange? marks = null;
        var currentMarks = actual.Marks ?? [];
        if (desired.Marks.Count == 0 ? actual.Marks is not null : actual.Marks is null || actual.NftDrift is not null || !currentMarks.SequenceEqual(desired.Marks))
            marks = new MarkChange(currentMarks, desired.Marks, actual.NftDrift);

        var sysctls = new List<SysctlChange>();
        foreach (var setting in desired.Sysctls)
        {
            actual.Sysctls.TryGetValue(setting.Key, out var current);
            if (current != setting.Value)
                sysctls.Add(new SysctlChange(setting.Key, current, setting.Value, Restore: false));
        }
        foreach (var (key, original) in savedSysctls.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (desired.Sysctls.Any(s => s.Key == key))
                continue;
            actual.Sysctls.TryGetValue(key, out var current);
            // Gone with its interface, or already back: nothing to restore (the record is dropped on apply).
            if (current is not null && current != original)
                sysctls.Add(new SysctlChange(key, current, original, Restore: true));
        }

        var collisions = new List<string>();
        foreach (var rule in actual.Rules.Where(r => Foreign(r.Protocol) && r.Priority is { } p && ranges.Priorities.Contains(p)))
            collisions.Add($"rule `{RouteText.Rule(rule)}` is not Steer's but sits in Steer's priorities {ranges.Priorities} (routing.priorities): " +
                           "delete it, or give Steer another range");
        foreach (var route in actual.Routes.Where(r => Foreign(r.Protocol) && desired.Tables.Contains(r.Table)))
            collisions.Add($"route `{RouteText.Route(route, facts)}` is not Steer's but is in table {route.Table}, an uplink's table: " +
                           "delete it, or give the uplink another table");

        return new RoutePlanDiff(addRoutes, replaceRoutes, deleteRoutes, addRules, ownedRules, marks, sysctls,
            collisions, desired.Problems, desired.Notes);
    }

    /// <summary>Neither the route plane's nor another Steer plane's.</summary>
    private static bool Foreign(RouteProtocol protocol) => protocol != Ownership.Protocol && !Ownership.SiblingProtocols.Contains(protocol);

    /// <summary>What the kernel keys a route by: table, family and destination.</summary>
    public static bool SameKey(Route a, Route b) => a.Table == b.Table && a.Destination.Equals(b.Destination);

    /// <summary>Equal in every field Steer sets. The kernel reports IPv6 routes with universe scope,
    /// a metric of 1024 and non-unicast ones on lo, so those are not compared.</summary>
    public static bool SameRoute(Route a, Route b) =>
        SameKey(a, b) && a.Type == b.Type && Equals(a.Gateway, b.Gateway) && a.OnLink == b.OnLink
        && Equals(a.PreferredSource, b.PreferredSource)
        && (a.Type != RouteType.Unicast || a.OutputInterface == b.OutputInterface)
        && (a.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 || (a.Scope ?? a.ScopeToAdd) == (b.Scope ?? b.ScopeToAdd));

    public static bool SameRule(Rule a, Rule b) =>
        a.Family == b.Family && a.Priority == b.Priority && Equals(a.Source, b.Source) && Equals(a.Destination, b.Destination)
        && a.InputInterface == b.InputInterface && a.OutputInterface == b.OutputInterface
        && a.FwMark == b.FwMark && a.FwMask == b.FwMask && a.Action == b.Action && a.Table == b.Table
        && a.Invert == b.Invert && a.SuppressPrefixLength == b.SuppressPrefixLength && a.IpProtocol == b.IpProtocol
        && a.SourcePorts == b.SourcePorts && a.DestinationPorts == b.DestinationPorts;
}
