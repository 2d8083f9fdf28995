using System.Net;
using System.Net.Sockets;
using Steer.Linux.Netlink;
using Steer.Policy;
using Steer.Policy.Configuration;
using Steer.Routing.Model;

namespace Steer.Routing.Compile;

/// <summary>
/// steer.yaml plus what the kernel says about links, addresses and the main table, turned into the
/// routes, rules, marks and sysctls the route plane wants. Pure: the same inputs always give the
/// same state, which is what lets reconcile and <c>steer plan</c> diff it against the kernel.
/// </summary>
public static class RouteCompiler
{
    private const string AllSrcValidMark = "net/ipv4/conf/all/src_valid_mark";
    private const string AllRpFilter = "net/ipv4/conf/all/rp_filter";

    /// <summary>The sysctl keys the route plane reads for <paramref name="config"/>.</summary>
    public static IEnumerable<string> SysctlKeys(SteerConfig config) =>
        config.Uplinks.Any(u => u.Return == ReturnPath.Symmetric)
            ? [AllSrcValidMark, AllRpFilter, .. config.Uplinks.Where(u => u.Return == ReturnPath.Symmetric).Select(u => RpFilterKey(u.Interface))]
            : [];

    public static string RpFilterKey(string @interface) => $"net/ipv4/conf/{@interface}/rp_filter";

    public static DesiredState Compile(SteerConfig config, HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(facts);
        var routes = new List<Route>();
        var defaults = new List<Route>();
        var rules = new List<Rule>();
        var sysctls = new List<SysctlSetting>();
        var problems = new List<string>();
        var notes = new List<string>();
        var tables = new HashSet<uint>();
        var ranges = config.Routing;
        if (config.Uplinks.Count == 0)
            return new DesiredState([], [], [], [], tables, problems, notes);
        if (PriorityLayout.Check(ranges) is { } tooSmall)
            problems.Add(tooSmall);

        var symmetric = config.Uplinks.Where(u => u.Return == ReturnPath.Symmetric).ToList();
        var marks = MarkAllocator.Allocate(symmetric, ranges);
        if (marks.Count < symmetric.Count)
            problems.Add($"{symmetric.Count} uplinks have return: symmetric; Steer's mark bits (0x{Ownership.MarkMask:x8}) tell {marks.Count} apart");

        foreach (var uplink in config.Uplinks)
        {
            tables.Add(uplink.Table);
            foreach (var family in Families)
                rules.Add(new Rule
                {
                    Family = family, Priority = PriorityLayout.Oif(ranges), OutputInterface = uplink.Interface,
                    Table = uplink.Table, Protocol = Ownership.Protocol,
                });
            if (marks.TryGetValue(uplink.Interface, out var mark))
            {
                foreach (var family in Families)
                    rules.Add(new Rule
                    {
                        Family = family, Priority = PriorityLayout.Mark(ranges), FwMark = mark, FwMask = Ownership.MarkMask,
                        Table = uplink.Table, Protocol = Ownership.Protocol,
                    });
            }

            var link = facts.FindLink(uplink.Interface);
            if (link is null)
            {
                notes.Add($"uplink {uplink.Interface}: there is no such interface yet; table {uplink.Table} stays empty until it appears");
                continue;
            }
            if (!link.IsUp)
            {
                notes.Add($"uplink {uplink.Interface}: the link is down; table {uplink.Table} stays empty until it is up");
                continue;
            }
            foreach (var family in Families)
                AddTable(uplink, link, family, facts, routes, defaults, notes);
        }

        foreach (var source in config.Sources)
        {
            var uplink = config.FindUplink(source.Uplink)!;
            rules.Add(new Rule
            {
                Family = source.Addresses.Family, Priority = PriorityLayout.Source(ranges, source.Addresses),
                Source = new IPNetwork(source.Addresses.Network, source.Addresses.PrefixLength),
                Table = uplink.Table, Protocol = Ownership.Protocol,
            });
        }

        if (symmetric.Count > 0)
            AddSysctls(symmetric, facts, sysctls);

        var markList = marks.Select(m => new MarkBinding(m.Key, m.Value)).Order(MarkBinding.Order).ToList();
        // Connected routes first: a default route's gateway must be reachable when it is added.
        return new DesiredState([.. routes, .. defaults], rules, markList, sysctls, tables, problems, notes);
    }

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];

    private static void AddTable(Uplink uplink, Link link, AddressFamily family, HostFacts facts,
        List<Route> routes, List<Route> defaults, List<string> notes)
    {
        bool v6 = family == AddressFamily.InterNetworkV6;
        var gateway = v6 ? uplink.Gateway6 : uplink.Gateway4;
        var defaultDestination = Route.DefaultDestination(family);
        if (gateway.Mode == GatewayMode.None)
        {
            // Fail closed: flows of this family sent to the uplink are refused, never sent elsewhere.
            defaults.Add(new Route
            {
                Destination = defaultDestination, Table = uplink.Table, Type = RouteType.Unreachable,
                Scope = RouteScope.Universe, Protocol = Ownership.Protocol,
            });
            return;
        }

        var connected = new List<IPNetwork>();
        foreach (var address in facts.Addresses.Where(a => a.InterfaceIndex == link.Index && a.Address.AddressFamily == family)
                     .Where(a => a.Scope == (byte)RouteScope.Universe && (a.Flags & (AddressFlags.NoPrefixRoute | AddressFlags.DadFailed)) == 0)
                     .OrderBy(a => (a.Flags & AddressFlags.Secondary) != 0).ThenBy(a => a.Address.ToString(), StringComparer.Ordinal))
        {
            int width = v6 ? 128 : 32;
            if (address.PrefixLength >= width)
                continue;
            var network = new IPNetwork(new Cidr(address.Address, address.PrefixLength).Network, address.PrefixLength);
            if (connected.Contains(network))
                continue;
            connected.Add(network);
            routes.Add(new Route
            {
                Destination = network, OutputInterface = link.Index, Table = uplink.Table,
                Scope = v6 ? RouteScope.Universe : RouteScope.Link,
                PreferredSource = v6 ? null : address.Address, Protocol = Ownership.Protocol,
            });
        }
        bool hasAddress = facts.Addresses.Any(a => a.InterfaceIndex == link.Index && a.Address.AddressFamily == family && a.Scope == (byte)RouteScope.Universe);

        IPAddress? via = gateway.Address;
        bool learnt = false;
        if (gateway.Mode == GatewayMode.Auto)
        {
            var found = facts.MainRoutes
                .Where(r => r.Family == family && r.Destination.PrefixLength == 0 && r.Table == RouteTable.Main
                            && r.OutputInterface == link.Index && r.Type == RouteType.Unicast && r.Protocol != Ownership.Protocol)
                .OrderBy(r => r.Metric ?? 0).ThenBy(r => r.Gateway?.ToString(), StringComparer.Ordinal)
                .FirstOrDefault();
            via = found?.Gateway;
            learnt = found is not null;
            if (found is null && !hasAddress)
                return; // this family does not run on the link: nothing to route
        }
        if (via is null && !learnt && gateway.Mode == GatewayMode.Auto)
            notes.Add($"uplink {uplink.Interface}: no {(v6 ? "IPv6" : "IPv4")} default route through it in the main table; its table routes on-link");
        bool onLink = via is not null && !IsLinkLocal(via) && !connected.Any(n => n.Contains(via));
        defaults.Add(new Route
        {
            Destination = defaultDestination, Gateway = via, OutputInterface = link.Index, Table = uplink.Table,
            Scope = v6 || via is not null ? RouteScope.Universe : RouteScope.Link,
            OnLink = onLink, Protocol = Ownership.Protocol,
        });
    }

    private static bool IsLinkLocal(IPAddress address) => address.IsIPv6LinkLocal;

    /// <summary>
    /// Replies steered by mark leave by an interface the main table would not pick for their
    /// destination: a strict reverse-path filter (rp_filter=1) on the uplink drops the requests
    /// themselves. The kernel uses the larger of <c>all</c> and the interface's value, so loose
    /// (2) on the interface is enough, and only where the effective value is strict.
    /// <c>src_valid_mark</c> lets the reverse-path check see the restored mark.
    /// </summary>
    private static void AddSysctls(List<Uplink> symmetric, HostFacts facts, List<SysctlSetting> sysctls)
    {
        if (facts.OriginalSysctls.ContainsKey(AllSrcValidMark))
            sysctls.Add(new SysctlSetting(AllSrcValidMark, "1"));
        int all = facts.OriginalSysctls.TryGetValue(AllRpFilter, out var a) && int.TryParse(a, out var av) ? av : 0;
        foreach (var uplink in symmetric)
        {
            var key = RpFilterKey(uplink.Interface);
            if (!facts.OriginalSysctls.TryGetValue(key, out var value) || !int.TryParse(value, out var own))
                continue;
            if (Math.Max(all, own) == 1)
                sysctls.Add(new SysctlSetting(key, "2"));
        }
    }
}
