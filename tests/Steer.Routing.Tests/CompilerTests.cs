using System.Net;
using System.Net.Sockets;
using Steer.Linux.Netlink;
using Steer.Routing.Compile;
using Steer.Routing.Model;
using Xunit;

namespace Steer.Routing.Tests;

public sealed class CompilerTests
{
    private static string[] Lines(DesiredState state, HostFacts facts) =>
    [
        .. state.Routes.Select(r => "route " + RouteText.Route(r, facts)),
        .. state.Rules.Select(r => "rule " + RouteText.Rule(r)),
        .. state.Marks.Select(m => "mark " + m),
        .. state.Sysctls.Select(s => $"sysctl {s.DisplayKey}={s.Value}"),
    ];

    [Fact]
    public void The_issues_config_compiles_to_tables_rules_marks_and_sysctls()
    {
        var config = Facts.Config(Facts.IssueYaml);
        var facts = Facts.Node();
        var state = RouteCompiler.Compile(config, facts);
        var t1 = config.FindUplink("eth1")!.Table;
        var t2 = config.FindUplink("eth2")!.Table;
        Assert.NotEqual(t1, t2);
        Assert.Empty(state.Problems);
        var lines = Lines(state, facts);
        Assert.Equal(
        [
            $"route 10.1.0.0/24 dev eth1 table {t1} proto steer scope link src 10.1.0.2",
            $"route -6 fd00:1::/64 dev eth1 table {t1} proto steer",
            $"route 10.2.0.0/24 dev eth2 table {t2} proto steer scope link src 10.2.0.2",
            // A static gateway outside eth1's subnets is taken as written: on-link.
            $"route default via 10.111.221.21 dev eth1 table {t1} proto steer onlink",
            $"route -6 default via fe80::1 dev eth1 table {t1} proto steer",
            $"route default via 10.2.0.1 dev eth2 table {t2} proto steer",
            $"rule 10000: from all oif eth1 lookup {t1} proto steer",
            $"rule -6 10000: from all oif eth1 lookup {t1} proto steer",
            $"rule 10001: from all fwmark 0x{Mark(config, t1):x}/0xff0000 lookup {t1} proto steer",
            $"rule -6 10001: from all fwmark 0x{Mark(config, t1):x}/0xff0000 lookup {t1} proto steer",
            $"rule 10000: from all oif eth2 lookup {t2} proto steer",
            $"rule -6 10000: from all oif eth2 lookup {t2} proto steer",
            $"rule 10001: from all fwmark 0x{Mark(config, t2):x}/0xff0000 lookup {t2} proto steer",
            $"rule -6 10001: from all fwmark 0x{Mark(config, t2):x}/0xff0000 lookup {t2} proto steer",
            $"rule 10002: from 192.168.2.1/32 lookup {t2} proto steer",
            $"mark eth1 0x{Mark(config, t1):x}",
            $"mark eth2 0x{Mark(config, t2):x}",
            "sysctl net.ipv4.conf.all.src_valid_mark=1",
            "sysctl net.ipv4.conf.eth1.rp_filter=2",
            "sysctl net.ipv4.conf.eth2.rp_filter=2",
        ], lines);
    }

    private static uint Mark(Steer.Policy.Configuration.SteerConfig config, uint table) =>
        (uint)((table - config.Routing.Tables.First) % 255 + 1) << 16;

    [Fact]
    public void Auto_gateways_follow_the_main_table_and_fall_back_to_on_link()
    {
        var config = Facts.Config("uplinks:\n  - { interface: eth1, gateway: auto }\n");
        var learnt = RouteCompiler.Compile(config, Facts.Node(eth1Gateway: "10.1.0.254"));
        Assert.Contains(learnt.Routes, r => r.Destination.PrefixLength == 0 && r.Family == AddressFamily.InterNetwork && Equals(r.Gateway, IPAddress.Parse("10.1.0.254")));

        var none = RouteCompiler.Compile(config, Facts.Node(eth1Gateway: null));
        var onLink = Assert.Single(none.Routes, r => r.Destination.PrefixLength == 0 && r.Family == AddressFamily.InterNetwork);
        Assert.Null(onLink.Gateway);
        Assert.Equal(RouteScope.Link, onLink.Scope);
        Assert.Contains(none.Notes, n => n.Contains("no IPv4 default route", StringComparison.Ordinal));
    }

    [Fact]
    public void Gateway_none_installs_an_unreachable_default_so_the_family_fails_closed()
    {
        var config = Facts.Config("uplinks:\n  - { interface: eth1, gateway6: none }\n");
        var state = RouteCompiler.Compile(config, Facts.Node());
        var v6 = Assert.Single(state.Routes, r => r.Family == AddressFamily.InterNetworkV6);
        Assert.Equal(RouteType.Unreachable, v6.Type);
    }

    [Fact]
    public void A_down_or_missing_link_keeps_its_rules_but_no_routes_and_says_why()
    {
        var config = Facts.Config("uplinks:\n  - { interface: eth2 }\n  - { interface: eth9 }\n");
        var state = RouteCompiler.Compile(config, Facts.Node(eth2Up: false));
        Assert.Empty(state.Routes);
        Assert.Equal(8, state.Rules.Count);
        Assert.Contains(state.Notes, n => n.Contains("eth2: the link is down", StringComparison.Ordinal));
        Assert.Contains(state.Notes, n => n.Contains("eth9: there is no such interface", StringComparison.Ordinal));
    }

    [Fact]
    public void Rp_filter_is_loosened_only_where_it_is_strict()
    {
        var config = Facts.Config("uplinks:\n  - { interface: eth1 }\n");
        Assert.Contains(RouteCompiler.Compile(config, Facts.Node(allRpFilter: "1")).Sysctls, s => s.Key.EndsWith("eth1/rp_filter", StringComparison.Ordinal));
        Assert.DoesNotContain(RouteCompiler.Compile(config, Facts.Node(allRpFilter: "2")).Sysctls, s => s.Key.EndsWith("rp_filter", StringComparison.Ordinal));
        var none = Facts.Config("uplinks:\n  - { interface: eth1, return: none }\n");
        var state = RouteCompiler.Compile(none, Facts.Node());
        Assert.Empty(state.Sysctls);
        Assert.Empty(state.Marks);
        Assert.DoesNotContain(state.Rules, r => r.FwMark is not null);
    }

    [Fact]
    public void Source_rules_take_longer_prefixes_first()
    {
        var config = Facts.Config("uplinks:\n  - { interface: eth1 }\nsources:\n  - { address: 10.9.0.0/16, uplink: eth1 }\n  - { address: 10.9.1.1, uplink: eth1 }\n  - { address: fd00:9::/64, uplink: eth1 }\n");
        var rules = RouteCompiler.Compile(config, Facts.Node()).Rules.Where(r => r.Source is not null).ToList();
        Assert.Equal(10002u, rules.Single(r => r.Source!.Value.PrefixLength == 32).Priority);
        Assert.Equal(10018u, rules.Single(r => r.Source!.Value.PrefixLength == 16).Priority);
        Assert.Equal(10066u, rules.Single(r => r.Source!.Value.PrefixLength == 64).Priority);
    }

    [Fact]
    public void A_priority_range_too_small_for_the_layout_is_a_problem()
    {
        var config = Facts.Config("routing: { priorities: 20000-20010 }\nuplinks:\n  - { interface: eth1 }\n");
        var problem = Assert.Single(RouteCompiler.Compile(config, Facts.Node()).Problems);
        Assert.Contains("routing.priorities 20000-20010 holds 11 priorities; the route plane needs 131", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Marks_stay_with_their_uplink_when_others_come_and_go()
    {
        var two = Facts.Config("uplinks:\n  - { interface: eth1 }\n  - { interface: eth2 }\n");
        var one = Facts.Config("uplinks:\n  - { interface: eth2 }\n");
        var a = RouteCompiler.Compile(two, Facts.Node()).Marks.Single(m => m.Interface == "eth2");
        var b = RouteCompiler.Compile(one, Facts.Node()).Marks.Single(m => m.Interface == "eth2");
        Assert.Equal(a, b);
        Assert.Equal(0u, a.Mark & ~Ownership.MarkMask);
    }

    [Fact]
    public void No_uplinks_means_nothing_at_all()
    {
        var state = RouteCompiler.Compile(Steer.Policy.Configuration.SteerConfig.Empty, Facts.Node());
        Assert.Empty(state.Routes);
        Assert.Empty(state.Rules);
        Assert.Empty(state.Marks);
        Assert.Empty(state.Sysctls);
    }
}
