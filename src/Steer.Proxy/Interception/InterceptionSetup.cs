using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Policy.Configuration;
using Rule = Steer.Linux.Netlink.Rule;

namespace Steer.Proxy.Interception;

/// <summary>
/// Installs and removes TProxy interception: the nftables table, <c>ip rule fwmark M lookup T</c>
/// and <c>local default dev lo table T</c> for IPv4 and IPv6. Everything carries Steer's marks: the
/// rule and routes have protocol <see cref="Protocol"/> and live in Steer's ranges, the table has
/// Steer's name; removal deletes exactly those objects and nothing else.
/// </summary>
public static class InterceptionSetup
{
    /// <summary>rtm_protocol of the proxy's rules and routes.</summary>
    public const RouteProtocol Protocol = (RouteProtocol)250;

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];

    /// <summary>Installs <paramref name="plan"/> (idempotent: what is already there is kept); on
    /// failure whatever was added is removed again.</summary>
    public static void Install(InterceptionPlan plan, string? netnsPath = null) => InNamespace(netnsPath, () =>
    {
        try
        {
            using var netlink = NetlinkHandle.Open();
            foreach (var name in plan.Interfaces)
                if (netlink.GetLink(name) is null)
                    throw new ProxyException($"proxy.tproxy.interfaces: no interface {name}");
            var loopback = netlink.GetLink("lo") ?? throw new ProxyException("no loopback interface");
            foreach (var family in Families)
            {
                netlink.ReplaceRoute(LocalRoute(plan, family, loopback.Index));
                var rules = netlink.ListRules(family);
                foreach (var name in plan.Interfaces)
                    if (!rules.Any(r => Matches(r, plan, name)))
                        netlink.AddRule(FwmarkRule(plan, family, name));
            }
            ProxyNft.Run(NftRuleset.Build(plan.Interfaces, plan.Port, plan.InterceptMark, plan.BypassMark));
        }
        catch (Exception e) when (e is ProxyException or NetlinkException)
        {
            RemoveCore(plan.InterceptMark, null);
            throw e as ProxyException ?? new ProxyException($"proxy interception: {e.Message}", e);
        }
        return 0;
    });

    /// <summary>Removes what a proxy with these marks installed in Steer's ranges (also one left by
    /// an earlier daemon): the nftables table, fwmark rules with Steer's protocol, local default routes
    /// with Steer's protocol in Steer's tables.</summary>
    public static void Remove(uint interceptMark, RoutingRanges ranges, string? netnsPath = null) =>
        InNamespace(netnsPath, () => RemoveCore(interceptMark, ranges));

    /// <summary>True when a proxy's interception is installed (the table or a rule).</summary>
    public static bool IsInstalled(uint interceptMark, string? netnsPath = null) => InNamespace(netnsPath, () =>
    {
        using var netlink = NetlinkHandle.Open();
        return NftRuleset.Exists(SafeList()) || Families.Any(f => netlink.ListRules(f).Any(r => r.FwMark == interceptMark && r.Protocol == Protocol));
    });

    private static string SafeList()
    {
        try { return ProxyNft.Run(NftRuleset.List()); }
        catch (ProxyException) { return "{}"; }
    }

    private static int RemoveCore(uint interceptMark, RoutingRanges? ranges)
    {
        var errors = new List<string>();
        try { ProxyNft.Run(NftRuleset.Remove()); }
        catch (ProxyException e) { errors.Add(e.Message); }
        using var netlink = NetlinkHandle.Open();
        var tables = new HashSet<uint>();
        foreach (var family in Families)
        {
            foreach (var rule in netlink.ListRules(family))
            {
                if (rule.FwMark != interceptMark || rule.Protocol != Protocol || rule.Table is not { } table ||
                    (ranges is not null && (!ranges.Priorities.Contains(rule.Priority ?? 0) || !ranges.Tables.Contains(table))))
                    continue;
                tables.Add(table);
                try { netlink.DeleteRule(rule); }
                catch (NetlinkException e) { errors.Add(e.Message); }
            }
        }
        foreach (var family in Families)
            foreach (var route in netlink.ListRoutes(family))
                if ((tables.Contains(route.Table) || (ranges?.Tables.Contains(route.Table) ?? false)) && route.Type == RouteType.Local &&
                    route.Protocol == Protocol && route.Destination.PrefixLength == 0)
                {
                    try { netlink.DeleteRoute(route); }
                    catch (NetlinkException e) { errors.Add(e.Message); }
                }
        if (errors.Count > 0)
            throw new ProxyException("removing proxy interception: " + string.Join("; ", errors));
        return 0;
    }

    private static bool Matches(Rule rule, InterceptionPlan plan, string iface) =>
        rule.FwMark == plan.InterceptMark && rule.Table == plan.Table && rule.Priority == plan.Priority && rule.Protocol == Protocol &&
        rule.InputInterface == iface;

    /// <summary><c>iif IFACE fwmark M lookup T</c>. The <c>iif</c> keeps the reverse-path check out
    /// of the local table: that check looks the source up as if from lo, and with src_valid_mark=1
    /// (the route plane sets it for symmetric return) it carries the mark too — without iif, every
    /// intercepted packet's source would look local and be dropped as a martian.</summary>
    private static Rule FwmarkRule(InterceptionPlan plan, AddressFamily family, string iface) => new()
    {
        Family = family,
        Priority = plan.Priority,
        FwMark = plan.InterceptMark,
        InputInterface = iface,
        Table = plan.Table,
        Protocol = Protocol,
    };

    private static Route LocalRoute(InterceptionPlan plan, AddressFamily family, int loopback) => new()
    {
        Destination = Route.DefaultDestination(family),
        Type = RouteType.Local,
        OutputInterface = loopback,
        Table = plan.Table,
        Protocol = Protocol,
    };

    private static T InNamespace<T>(string? netnsPath, Func<T> work) => netnsPath is null ? work() : NetNamespace.Run(netnsPath, work);
}
