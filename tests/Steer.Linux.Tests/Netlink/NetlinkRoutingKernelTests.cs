using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Linux.Sysctls;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Routes and rules against the real kernel: what is added is listed exactly as built,
/// steers real TCP, and is gone once deleted.</summary>
public sealed class NetlinkRoutingKernelTests
{
    private const uint Table = 100;
    private static readonly RouteProtocol Ours = (RouteProtocol)250;

    private static Route FarRoute4(TwoHosts hosts) => new()
    {
        Destination = TwoHosts.FarNet4, Gateway = TwoHosts.B4, OutputInterface = hosts.A0, Table = Table,
        Metric = 10, Scope = RouteScope.Universe, Protocol = Ours,
    };

    private static Route FarRoute6(TwoHosts hosts) => new()
    {
        Destination = TwoHosts.FarNet6, Gateway = TwoHosts.B6, OutputInterface = hosts.A0, Table = Table,
        Metric = 10, Scope = RouteScope.Universe, Protocol = Ours,
    };

    [Fact]
    public void Routes_in_a_custom_table_are_listed_as_added_and_used_once_a_rule_points_at_the_table()
    {
        using var hosts = TwoHosts.Create();
        using var listener = Traffic.Listen(hosts.B.Path);
        var routes = new[] { FarRoute4(hosts), FarRoute6(hosts) };
        foreach (var route in routes)
            hosts.NetA.AddRoute(route);

        Assert.Equal(routes, hosts.NetA.ListRoutes(table: Table));
        Assert.Equal([routes[0]], hosts.NetA.ListRoutes(AddressFamily.InterNetwork, Table));
        Assert.Contains(routes[1], hosts.NetA.ListRoutes());
        Assert.Contains("10.62.0.0/24 via 10.61.0.2 dev a0 proto 250 metric 10", hosts.A.Ip("route", "show", "table", "100"), StringComparison.Ordinal);
        // Only the main table is consulted without a rule: no route there.
        Assert.Equal(SocketError.NetworkUnreachable, Traffic.Connect(hosts.A.Path, TwoHosts.Far4));

        var rules = new[]
        {
            new Rule { Family = AddressFamily.InterNetwork, Priority = 1000, Destination = TwoHosts.FarNet4, Table = Table, Protocol = Ours },
            new Rule { Family = AddressFamily.InterNetworkV6, Priority = 1000, Destination = TwoHosts.FarNet6, Table = Table, Protocol = Ours },
        };
        foreach (var rule in rules)
            hosts.NetA.AddRule(rule);
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.Far4));
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.Far6));

        foreach (var rule in rules)
            hosts.NetA.DeleteRule(rule);
        Assert.Equal(SocketError.NetworkUnreachable, Traffic.Connect(hosts.A.Path, TwoHosts.Far4));
        foreach (var route in routes)
            hosts.NetA.DeleteRoute(route);
        Assert.Empty(hosts.NetA.ListRoutes(table: Table));
    }

    [Fact]
    public void A_fwmark_rule_steers_marked_sockets_and_strict_rp_filter_drops_their_unmarked_replies()
    {
        using var hosts = TwoHosts.Create();
        using var listener = Traffic.Listen(hosts.B.Path);
        const uint table = 4_000_000; // beyond 8 bits: travels only as RTA_TABLE / FRA_TABLE
        var defaultRoute = new Route
        {
            Destination = Route.DefaultDestination(AddressFamily.InterNetwork), Gateway = TwoHosts.B4, Table = table,
            Scope = RouteScope.Universe, Protocol = Ours, OutputInterface = hosts.A0,
        };
        hosts.NetA.AddRoute(defaultRoute);
        var markRule = new Rule { Family = AddressFamily.InterNetwork, Priority = 900, FwMark = 0x10, FwMask = 0xff, Table = table, Protocol = Ours };
        hosts.NetA.AddRule(markRule);

        Assert.Equal([defaultRoute], hosts.NetA.ListRoutes(table: table));
        Assert.Contains(markRule, hosts.NetA.ListRules(AddressFamily.InterNetwork));
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.Far4, mark: 0x10));
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.Far4, mark: 0x710)); // only the masked bits count
        Assert.Equal(SocketError.NetworkUnreachable, Traffic.Connect(hosts.A.Path, TwoHosts.Far4));

        // The SYN-ACK arrives unmarked (only a connmark restore would mark it; src_valid_mark
        // only helps then), so strict reverse-path filtering finds no route back and drops it.
        SetReversePathFilter(hosts, ReversePathFilter.Strict);
        Assert.Equal(SocketError.TimedOut, Traffic.Connect(hosts.A.Path, TwoHosts.Far4, mark: 0x10, timeoutMs: 700));
        SetReversePathFilter(hosts, ReversePathFilter.Off);
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.Far4, mark: 0x10));
    }

    [Fact]
    public void Route_types_blackhole_unreachable_prohibit_and_local_are_listed_and_refuse_as_they_should()
    {
        using var hosts = TwoHosts.Create();
        const uint table = 101;
        Route Typed(string prefix, RouteType type, RouteScope scope = RouteScope.Universe) => new()
        {
            Destination = IPNetwork.Parse(prefix), Type = type, Table = table, Scope = scope, Protocol = Ours,
        };
        var routes = new[]
        {
            Typed("10.62.0.0/26", RouteType.Blackhole),
            Typed("10.62.0.64/26", RouteType.Unreachable),
            Typed("10.62.0.128/26", RouteType.Prohibit),
            Typed("fd62::/64", RouteType.Unreachable) with { Metric = 1024 },
            Typed("10.63.0.0/16", RouteType.Local, RouteScope.Host) with { OutputInterface = 1, PreferredSource = TwoHosts.A4 },
            Typed("10.64.0.0/16", RouteType.Throw),
        };
        foreach (var route in routes)
            hosts.NetA.AddRoute(route with { Scope = null }); // the scope ip would pick
        hosts.NetA.AddRule(new Rule { Family = AddressFamily.InterNetwork, Priority = 10, Table = table });
        hosts.NetA.AddRule(new Rule { Family = AddressFamily.InterNetworkV6, Priority = 10, Table = table });

        Assert.Equal(routes.OrderBy(r => r.ToString()), hosts.NetA.ListRoutes(table: table)
            .Select(r => r.Family == AddressFamily.InterNetworkV6 ? r with { OutputInterface = null } : r) // the kernel puts lo on IPv6 reject routes
            .OrderBy(r => r.ToString()));
        Assert.Equal(SocketError.HostUnreachable, Traffic.Connect(hosts.A.Path, IPAddress.Parse("10.62.0.65")));
        Assert.Equal(SocketError.AccessDenied, Traffic.Connect(hosts.A.Path, IPAddress.Parse("10.62.0.129")));
        Assert.Equal(SocketError.HostUnreachable, Traffic.Connect(hosts.A.Path, TwoHosts.Far6)); // IPv6 says host, not network
        // A local route (TProxy's kind) is for delivering incoming packets: a connect from this host
        // fails, since its replies would come from an address no interface holds. Listing it is the test.
    }

    [Fact]
    public void Replace_swaps_a_route_in_place_and_delete_matches_only_the_owners_protocol()
    {
        using var hosts = TwoHosts.Create();
        var route = FarRoute4(hosts);
        hosts.NetA.ReplaceRoute(route); // replace also creates
        var blackhole = route with { Type = RouteType.Blackhole, Gateway = null, OutputInterface = null };
        hosts.NetA.ReplaceRoute(blackhole);

        Assert.Equal([blackhole], hosts.NetA.ListRoutes(table: Table));

        var notOurs = Assert.Throws<NetlinkException>(() => hosts.NetA.DeleteRoute(blackhole with { Protocol = RouteProtocol.Static }));
        Assert.Equal(Errno.ESRCH, notOurs.Errno);
        Assert.Equal([blackhole], hosts.NetA.ListRoutes(table: Table));
        // Deleting by destination, table and protocol alone finds it, as ip route del would.
        hosts.NetA.DeleteRoute(new Route { Destination = route.Destination, Table = Table, Protocol = Ours, Type = RouteType.Unspecified });
        Assert.Empty(hosts.NetA.ListRoutes(table: Table));
    }

    [Fact]
    public void Rules_with_every_selector_are_listed_as_added_and_print_exactly_like_ip_rule()
    {
        using var hosts = TwoHosts.Create();
        var rules = new[]
        {
            new Rule { Family = AddressFamily.InterNetwork, Priority = 100, Source = IPNetwork.Parse("10.61.0.0/24"), Table = Table, Protocol = Ours },
            new Rule { Family = AddressFamily.InterNetwork, Priority = 101, InputInterface = "a0", Table = 200_000 },
            new Rule { Family = AddressFamily.InterNetwork, Priority = 102, OutputInterface = "a0", Table = Table, SuppressPrefixLength = 0 },
            new Rule
            {
                Family = AddressFamily.InterNetwork, Priority = 103, Invert = true, Destination = IPNetwork.Parse("192.168.0.0/16"),
                FwMark = 1, FwMask = 3, IpProtocol = 6, SourcePorts = new PortRange(1000, 2000), DestinationPorts = PortRange.Single(80),
                Table = RouteTable.Main, Protocol = RouteProtocol.Static,
            },
            new Rule { Family = AddressFamily.InterNetwork, Priority = 104, FwMark = 0x20, Action = RuleAction.Blackhole },
            new Rule { Family = AddressFamily.InterNetwork, Priority = 105, IpProtocol = 17, Action = RuleAction.Unreachable },
            new Rule { Family = AddressFamily.InterNetwork, Priority = 106, Source = IPNetwork.Parse("10.9.0.0/16"), Action = RuleAction.Prohibit },
            new Rule { Family = AddressFamily.InterNetworkV6, Priority = 100, Source = IPNetwork.Parse("fd61::/64"), FwMark = 7, Table = Table, Protocol = Ours },
            new Rule { Family = AddressFamily.InterNetworkV6, Priority = 101, OutputInterface = "a0", Action = RuleAction.Prohibit },
        };
        var before = hosts.NetA.ListRules();
        foreach (var rule in rules)
            hosts.NetA.AddRule(rule);

        var listed = hosts.NetA.ListRules();
        Assert.Equal(rules.Length + before.Count, listed.Count);
        Assert.All(rules, rule => Assert.Contains(rule, listed));
        Assert.Equal(IpRuleLines(hosts, "-4"), hosts.NetA.ListRules(AddressFamily.InterNetwork).Select(r => r.ToString()));
        Assert.Equal(IpRuleLines(hosts, "-6"), hosts.NetA.ListRules(AddressFamily.InterNetworkV6).Select(r => r.ToString()));

        foreach (var rule in rules)
            hosts.NetA.DeleteRule(rule);
        Assert.Equal(before, hosts.NetA.ListRules());
    }

    [Fact]
    public void Refusals_carry_errno_the_request_and_the_kernels_reason()
    {
        using var hosts = TwoHosts.Create();
        var route = FarRoute4(hosts);
        hosts.NetA.AddRoute(route);

        var twice = Assert.Throws<NetlinkException>(() => hosts.NetA.AddRoute(route));
        Assert.Equal(Errno.EEXIST, twice.Errno);
        Assert.StartsWith($"RTM_NEWROUTE 10.62.0.0/24 via 10.61.0.2 dev if{hosts.A0} table 100 proto 250 metric 10: ", twice.Message, StringComparison.Ordinal);

        Assert.Equal(Errno.ESRCH, Assert.Throws<NetlinkException>(() => hosts.NetA.DeleteRoute(route with { Metric = 11 })).Errno);
        var noDevice = Assert.Throws<NetlinkException>(() => hosts.NetA.AddRoute(route with { Gateway = null, Scope = null, OutputInterface = 99_999 }));
        Assert.Equal(Errno.ENODEV, noDevice.Errno);
        Assert.StartsWith("RTM_NEWROUTE 10.62.0.0/24 dev if99999 table 100 proto 250 metric 10: ", noDevice.Message, StringComparison.Ordinal);

        var offLink = Assert.Throws<NetlinkException>(() => hosts.NetA.AddRoute(route with { Gateway = IPAddress.Parse("192.0.2.1"), Metric = 20 }));
        Assert.Equal(Errno.ENETUNREACH, offLink.Errno);
        Assert.False(string.IsNullOrEmpty(offLink.ExtendedAck), offLink.Message);

        var badSource = Assert.Throws<NetlinkException>(() => hosts.NetA.AddRoute(route with { PreferredSource = IPAddress.Parse("10.99.0.1"), Metric = 30 }));
        Assert.Equal(Errno.EINVAL, badSource.Errno);
        Assert.Contains("prefsrc", badSource.ExtendedAck, StringComparison.OrdinalIgnoreCase);

        var rule = new Rule { Family = AddressFamily.InterNetwork, Priority = 1000, FwMark = 1, Table = Table, Protocol = Ours };
        hosts.NetA.AddRule(rule);
        var ruleTwice = Assert.Throws<NetlinkException>(() => hosts.NetA.AddRule(rule));
        Assert.Equal(Errno.EEXIST, ruleTwice.Errno);
        Assert.StartsWith("RTM_NEWRULE 1000:\tfrom all fwmark 0x1 lookup 100 proto 250: ", ruleTwice.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.ENOENT, Assert.Throws<NetlinkException>(() => hosts.NetA.DeleteRule(rule with { Priority = 1001 })).Errno);

        // Nothing refused changed anything.
        Assert.Equal([route], hosts.NetA.ListRoutes(table: Table));
        Assert.Single(hosts.NetA.ListRules(), r => r.Protocol == Ours);
    }

    [Fact]
    public void The_kernel_explains_a_bad_prefix_length_in_its_extended_ack()
    {
        // IPNetwork cannot hold a /33, so this request is built by hand: what the kernel says
        // about malformed input reaches the exception.
        using var ns = TestNamespace.Create();
        using var socket = NetNamespace.Run(ns.Path, NetlinkSocket.Open);
        var buffer = new byte[128];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_NEWROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE);
        var header = request.AddFixed(Rt.RtMsgSize);
        (header[0], header[1], header[4], header[7]) = (Rt.AF_INET, 33, 100, (byte)RouteType.Blackhole);
        request.AddAddress(Rt.RTA_DST, IPAddress.Parse("10.0.0.0"));
        var bytes = request.Finish(3).ToArray();

        var e = Assert.Throws<NetlinkException>(() => NetlinkRequest.Execute(socket, bytes, 3, "RTM_NEWROUTE 10.0.0.0/33", (in NetlinkMessage _) => { }));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("prefix length", e.ExtendedAck, StringComparison.OrdinalIgnoreCase);
    }

    private static void SetReversePathFilter(TwoHosts hosts, ReversePathFilter mode) =>
        NetNamespace.Run(hosts.A.Path, () =>
        {
            Sysctl.SetReversePathFilter("all", mode);
            Sysctl.SetReversePathFilter("a0", mode);
            return 0;
        });

    private static string[] IpRuleLines(TwoHosts hosts, string family) =>
        hosts.A.Ip(family, "rule", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
}
