using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Steer.Linux.Netlink;
using Steer.Routing.Compile;
using Steer.Routing.Model;
using Xunit;

namespace Steer.Routing.Tests;

public sealed class DiffTests
{
    private static readonly Steer.Policy.Configuration.SteerConfig Config = Facts.Config(Facts.IssueYaml);
    private static readonly HostFacts Node = Facts.Node();
    private static readonly DesiredState Desired = RouteCompiler.Compile(Config, Node);
    private static readonly Dictionary<string, string> NoneSaved = [];

    /// <summary>A route as a dump shows it after it was added: IPv6 routes get metric 1024.</summary>
    private static Route AsDumped(Route r) => r.Family == AddressFamily.InterNetworkV6 ? r with { Metric = 1024, Scope = RouteScope.Universe } : r;

    private static ActualState Kernel(IEnumerable<Route> routes, IEnumerable<Rule> rules, IReadOnlyList<MarkBinding>? marks, Dictionary<string, string>? sysctls = null) =>
        new([.. routes], [.. rules], marks, null, sysctls ?? new Dictionary<string, string>(Node.OriginalSysctls));

    private static ActualState Applied() => Kernel(Desired.Routes.Select(AsDumped), Desired.Rules, Desired.Marks,
        new Dictionary<string, string>(Node.OriginalSysctls) { ["net/ipv4/conf/all/src_valid_mark"] = "1", ["net/ipv4/conf/eth1/rp_filter"] = "2", ["net/ipv4/conf/eth2/rp_filter"] = "2" });

    [Fact]
    public void From_nothing_everything_is_added_and_nothing_removed()
    {
        var diff = RouteDiff.Compute(Desired, Kernel([], [], null), Config.Routing, NoneSaved);
        Assert.Equal(Desired.Routes, diff.AddRoutes);
        Assert.Equal(Desired.Rules, diff.AddRules);
        Assert.Empty(diff.DeleteRoutes);
        Assert.Empty(diff.DeleteRules);
        Assert.Equal(Desired.Marks, diff.Marks!.Desired);
        Assert.Equal(3, diff.Sysctls.Count);
        Assert.True(diff.CanApply);
    }

    [Fact]
    public void What_is_in_place_gives_no_changes()
    {
        var diff = RouteDiff.Compute(Desired, Applied(), Config.Routing, new Dictionary<string, string> { ["net/ipv4/conf/all/src_valid_mark"] = "0" });
        Assert.True(diff.IsEmpty, RouteText.Format(diff, Node));
    }

    [Fact]
    public void A_new_gateway_replaces_the_default_route_in_place()
    {
        var config = Facts.Config("uplinks:\n  - { interface: eth1 }\n");
        var before = RouteCompiler.Compile(config, Facts.Node(eth1Gateway: "10.1.0.1"));
        var after = RouteCompiler.Compile(config, Facts.Node(eth1Gateway: "10.1.0.254"));
        var diff = RouteDiff.Compute(after, Kernel(before.Routes.Select(AsDumped), before.Rules, before.Marks), config.Routing, NoneSaved);
        var replaced = Assert.Single(diff.ReplaceRoutes);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), replaced.Old.Gateway);
        Assert.Equal(IPAddress.Parse("10.1.0.254"), replaced.New.Gateway);
        Assert.Empty(diff.AddRoutes);
        Assert.Empty(diff.DeleteRoutes);
        Assert.Empty(diff.AddRules);
    }

    [Fact]
    public void Foreign_rules_in_the_range_and_foreign_routes_in_Steers_tables_are_collisions_and_never_removed()
    {
        var t1 = Config.FindUplink("eth1")!.Table;
        var foreignRule = new Rule { Family = AddressFamily.InterNetwork, Priority = 10500, Source = IPNetwork.Parse("192.168.1.1/32"), Table = 100, Protocol = RouteProtocol.Boot };
        var outsideRule = new Rule { Family = AddressFamily.InterNetwork, Priority = 500, Table = 100, Protocol = RouteProtocol.Boot };
        var foreignRoute = new Route { Destination = IPNetwork.Parse("10.7.0.0/16"), OutputInterface = Facts.Eth1, Table = t1, Protocol = RouteProtocol.Boot };
        var actual = Applied();
        actual = actual with { Rules = [.. actual.Rules, foreignRule, outsideRule], Routes = [.. actual.Routes, foreignRoute] };
        var diff = RouteDiff.Compute(Desired, actual, Config.Routing, new Dictionary<string, string> { ["net/ipv4/conf/all/src_valid_mark"] = "0" }, Node);
        Assert.False(diff.CanApply);
        Assert.Equal(2, diff.Collisions.Count);
        Assert.Contains("rule `10500: from 192.168.1.1/32 lookup 100 proto boot` is not Steer's but sits in Steer's priorities 10000-10999", diff.Collisions[0], StringComparison.Ordinal);
        Assert.Contains($"route `10.7.0.0/16 dev eth1 table {t1}` is not Steer's but is in table {t1}", diff.Collisions[1], StringComparison.Ordinal);
        Assert.Empty(diff.DeleteRules);
        Assert.Empty(diff.DeleteRoutes);
    }

    [Fact]
    public void The_proxy_planes_rule_in_the_range_is_neither_a_collision_nor_removed()
    {
        var proxyRule = new Rule { Family = AddressFamily.InterNetwork, Priority = 10000, FwMark = 0x5354_0001, Table = 1999, Protocol = (RouteProtocol)250 };
        var actual = Applied();
        actual = actual with { Rules = [.. actual.Rules, proxyRule] };
        var diff = RouteDiff.Compute(Desired, actual, Config.Routing, new Dictionary<string, string> { ["net/ipv4/conf/all/src_valid_mark"] = "0" });
        Assert.True(diff.CanApply);
        Assert.True(diff.IsEmpty);
    }

    [Fact]
    public void No_uplink_gets_the_mark_bits_of_the_proxys_marks()
    {
        var yaml = new System.Text.StringBuilder("uplinks:\n");
        for (int i = 0; i < 200; i++)
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - {{ interface: u{i}, table: {1000 + i} }}\n");
        var config = Facts.Config(yaml.ToString());
        var marks = MarkAllocator.Allocate(config.Uplinks, config.Routing);
        Assert.Equal(200, marks.Values.Distinct().Count());
        Assert.DoesNotContain(0x5354_0001u & Ownership.MarkMask, marks.Values);
    }

    [Fact]
    public void Removing_everything_takes_only_Steers_objects_and_restores_sysctls()
    {
        var actual = Applied();
        var foreign = new Rule { Family = AddressFamily.InterNetwork, Priority = 500, Table = 100 };
        actual = actual with { Rules = [.. actual.Rules, foreign] };
        var empty = RouteCompiler.Compile(Steer.Policy.Configuration.SteerConfig.Empty, Node);
        var saved = new Dictionary<string, string> { ["net/ipv4/conf/all/src_valid_mark"] = "0", ["net/ipv4/conf/eth1/rp_filter"] = "0", ["net/ipv4/conf/eth2/rp_filter"] = "0" };
        var diff = RouteDiff.Compute(empty, actual, Config.Routing, saved);
        Assert.Equal(Desired.Routes.Count, diff.DeleteRoutes.Count);
        Assert.Equal(Desired.Rules.Count, diff.DeleteRules.Count);
        Assert.DoesNotContain(foreign, diff.DeleteRules);
        Assert.Empty(diff.Marks!.Desired);
        Assert.All(diff.Sysctls, s => Assert.True(s.Restore));
        Assert.Equal(3, diff.Sysctls.Count);
        // Default routes go before the connected routes their gateways need.
        Assert.Equal(0, diff.DeleteRoutes[0].Destination.PrefixLength);
    }

    /// <summary>
    /// For any kernel holding a random part of the desired state plus random stale Steer objects,
    /// carrying out the diff leaves exactly the desired state: the next diff is empty.
    /// </summary>
    [Fact]
    public void Carrying_out_a_diff_always_reaches_the_desired_state()
    {
        var stale = new List<Route>
        {
            new() { Destination = IPNetwork.Parse("10.9.0.0/24"), OutputInterface = Facts.Eth2, Table = 1500, Protocol = Ownership.Protocol, Scope = RouteScope.Link },
            AsDumped(Desired.Routes[0]) with { PreferredSource = IPAddress.Parse("10.1.0.9") },
        };
        var staleRules = new List<Rule>
        {
            new() { Family = AddressFamily.InterNetwork, Priority = 10002, Source = IPNetwork.Parse("192.168.1.1/32"), Table = 1500, Protocol = Ownership.Protocol },
            Desired.Rules[0],
        };
        var gen = from routeMask in Gen.ArrayOf(Gen.Elements(true, false), Desired.Routes.Count)
                  from ruleMask in Gen.ArrayOf(Gen.Elements(true, false), Desired.Rules.Count)
                  from staleRouteMask in Gen.ArrayOf(Gen.Elements(true, false), stale.Count)
                  from staleRuleMask in Gen.ArrayOf(Gen.Elements(true, false), staleRules.Count)
                  from markCount in Gen.Choose(-1, Desired.Marks.Count)
                  select (routeMask, ruleMask, staleRouteMask, staleRuleMask, markCount);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var routes = Desired.Routes.Where((_, i) => input.routeMask[i]).Select(AsDumped).ToList();
            var rules = Desired.Rules.Where((_, i) => input.ruleMask[i]).ToList();
            // A stale route shares the key of a desired one only when that one is absent.
            foreach (var (route, i) in stale.Select((r, i) => (r, i)))
                if (input.staleRouteMask[i] && !routes.Any(r => RouteDiff.SameKey(r, route)))
                    routes.Add(route);
            rules.AddRange(staleRules.Where((_, i) => input.staleRuleMask[i]));
            var marks = input.markCount < 0 ? null : Desired.Marks.Take(input.markCount).ToList();
            var kernel = Kernel(routes, rules, marks);

            var diff = RouteDiff.Compute(Desired, kernel, Config.Routing, NoneSaved);
            routes.AddRange(diff.AddRoutes.Select(AsDumped));
            foreach (var r in diff.ReplaceRoutes)
                routes[routes.IndexOf(r.Old)] = AsDumped(r.New);
            foreach (var r in diff.DeleteRoutes)
                routes.Remove(r);
            rules.AddRange(diff.AddRules);
            foreach (var r in diff.DeleteRules)
                rules.Remove(r);
            var sysctls = new Dictionary<string, string>(kernel.Sysctls);
            foreach (var s in diff.Sysctls)
                sysctls[s.Key] = s.Value;
            var after = Kernel(routes, rules, diff.Marks?.Desired ?? marks, sysctls);
            return RouteDiff.Compute(Desired, after, Config.Routing, NoneSaved).IsEmpty;
        }).QuickCheckThrowOnFailure();
    }
}
