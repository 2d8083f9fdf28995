using System.Net;
using Steer.Policy.Configuration;
using Steer.Proxy.Guard;
using Steer.Proxy.Interception;
using Steer.Proxy.Native;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Tests.Unit;

public sealed class SelectionTests
{
    private const string Yaml = """
        uplinks:
          - { interface: wan0, gateway: auto }
          - { interface: wg0, gateway: 10.64.0.1 }
        rules:
          - { domain: example.com, via: wg0 }
          - { cidr: 10.0.0.0/8, action: reject }
          - { domain: corp.example, outbound: corp }
        proxy:
          tproxy: { port: 7893, interfaces: [lan0] }
          socks: { listen: "127.0.0.1:1080" }
          default: auto
          outbounds:
            - { name: corp, type: socks5, server: "10.1.1.1:1080", via: wg0 }
        """;

    private sealed class Defaults(string? v4, string? v6) : IDefaultInterfaces
    {
        public string? DefaultInterface(bool ipv4) => ipv4 ? v4 : v6;
    }

    private static OutboundSelector Selector(string? v4 = "wan0", string? v6 = null, Func<IPAddress, string?>? names = null)
    {
        var config = ConfigLoader.LoadOrThrow(Yaml);
        return new OutboundSelector(config.Rules, config.Proxy!, new Defaults(v4, v6), names);
    }

    private static FlowEndpoint At(string address, int port = 443) => FlowEndpoint.From(IPAddress.Parse(address), port);

    private static readonly FlowEndpoint Client = FlowEndpoint.From(IPAddress.Parse("192.168.1.20"), 40000);

    [Fact]
    public void The_issue_example_config_is_accepted() => Assert.NotNull(ConfigLoader.LoadOrThrow(Yaml).Proxy);

    [Fact]
    public void A_name_rule_beats_an_address_rule()
    {
        var choice = Selector().Select(At("10.1.2.3"), "www.example.com", Client, udp: false);
        Assert.Equal(OutboundKind.Direct, choice.Kind);
        Assert.Equal("wg0", choice.Interface);
        Assert.Contains("suffix example.com", choice.Rule);
    }

    [Fact]
    public void Cidr_reject_and_outbound_socks5()
    {
        Assert.Equal(OutboundKind.Reject, Selector().Select(At("10.1.2.3"), null, Client, udp: false).Kind);
        var corp = Selector().Select(At("192.0.2.1"), "git.corp.example", Client, udp: false);
        Assert.Equal(OutboundKind.Socks5, corp.Kind);
        Assert.Equal("wg0", corp.Interface);
        Assert.Equal("corp", corp.Upstream!.Name);
    }

    [Fact]
    public void Default_auto_follows_the_default_route_and_fails_closed_without_one()
    {
        Assert.Equal("wan0", Selector().Select(At("192.0.2.1"), null, Client, udp: false).Interface);
        var v6 = Selector(v6: null).Select(At("2001:db8::1"), null, Client, udp: false);
        Assert.Equal(OutboundKind.Reject, v6.Kind);
        Assert.Contains("no IPv6 default route", v6.Error);
    }

    [Fact]
    public void Port_protocol_and_source_conditions_pick_the_outbound()
    {
        var yaml = Yaml.Replace("rules:\n", "rules:\n  - { domain: example.com, port: 22, protocol: tcp, via: wan0 }\n  - { source: 192.168.9.0/24, action: reject }\n", StringComparison.Ordinal);
        var config = ConfigLoader.LoadOrThrow(yaml);
        var selector = new OutboundSelector(config.Rules, config.Proxy!, new Defaults("wan0", null), null);
        var other = FlowEndpoint.From(IPAddress.Parse("192.168.9.4"), 50000);

        var ssh = selector.Select(At("192.0.2.1", 22), "git.example.com", Client, udp: false);
        Assert.Equal("wan0", ssh.Interface);
        Assert.StartsWith("suffix example.com, port 22, protocol tcp → via wan0", ssh.Rule, StringComparison.Ordinal);
        Assert.Equal("wg0", selector.Select(At("192.0.2.1", 22), "git.example.com", Client, udp: true).Interface);
        Assert.Equal("wg0", selector.Select(At("192.0.2.1", 443), "git.example.com", Client, udp: false).Interface);
        // Any destination ranks below every destination: example.com's rule still wins for that client.
        Assert.Equal("wg0", selector.Select(At("192.0.2.1", 443), "git.example.com", other, udp: false).Interface);
        var refused = selector.Select(At("192.0.2.1", 443), null, other, udp: false);
        Assert.Equal(OutboundKind.Reject, refused.Kind);
        Assert.StartsWith("any destination, source 192.168.9.0/24 → reject", refused.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void The_resolver_map_names_an_address()
    {
        var selector = Selector(names: a => a.ToString() == "203.0.113.9" ? "cdn.example.com" : null);
        var name = selector.NameOf(At("203.0.113.9"));
        Assert.Equal("wg0", selector.Select(At("203.0.113.9"), name, Client, udp: false).Interface);
    }

    [Fact]
    public void Interception_takes_a_table_no_uplink_uses_and_the_first_priority()
    {
        var config = ConfigLoader.LoadOrThrow(Yaml);
        var plan = InterceptionPlan.For(config, new ProxyOptions())!;
        Assert.DoesNotContain(plan.Table, config.Uplinks.Select(u => u.Table));
        Assert.True(config.Routing.Tables.Contains(plan.Table));
        Assert.Equal(config.Routing.Priorities.First, plan.Priority);
        Assert.Equal(["lan0"], plan.Interfaces);
    }

    [Fact]
    public void Nft_ruleset_is_one_replacing_transaction_in_its_own_table()
    {
        var json = NftRuleset.Build(["lan0", "lan1"], 7893, 0x53540001, 0x53540002);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var commands = document.RootElement.GetProperty("nftables").EnumerateArray().ToList();
        Assert.Equal("add", commands[0].EnumerateObject().Single().Name);
        Assert.Equal("delete", commands[1].EnumerateObject().Single().Name);
        Assert.Equal(4 + 2 + 2 * 4, commands.Count);
        Assert.All(commands.Skip(4), c => Assert.Equal("proxy_prerouting", c.GetProperty("add").GetProperty("rule").GetProperty("chain").GetString()));
        Assert.Contains("\"tproxy\":{\"family\":\"ip6\",\"port\":7893}", json);
    }

    [Fact]
    public void Storm_guard_backs_off_and_forgives()
    {
        var storm = new StormGuard(ratePerSecond: 10, maxFlows: 1000);
        var target = At("192.0.2.1");
        for (var i = 0; i < 10; i++)
            Assert.Null(storm.Admit(target, 1000));
        Assert.Equal(LoopCause.Storm, storm.Admit(target, 1001));
        Assert.Equal(LoopCause.Storm, storm.Admit(target, 1900)); // backing off for 1 s
        Assert.Null(storm.Admit(At("192.0.2.2"), 1900));         // other destinations are not affected
        Assert.Null(storm.Admit(target, 2100));
    }

    [Fact]
    public void Flow_cap_refuses_beyond_the_limit()
    {
        var storm = new StormGuard(ratePerSecond: 1000, maxFlows: 2);
        storm.FlowOpened();
        storm.FlowOpened();
        Assert.Equal(LoopCause.Capacity, storm.Admit(At("192.0.2.1"), 0));
    }

    [Fact]
    public void Flow_endpoints_round_trip()
    {
        foreach (var text in new[] { "192.0.2.1", "2001:db8::5", "::ffff:10.0.0.1" })
        {
            var endpoint = FlowEndpoint.From(IPAddress.Parse(text), 80);
            var back = SockAddr.From(endpoint).ToEndpoint();
            Assert.Equal(endpoint, back);
        }
        Assert.True(FlowEndpoint.From(IPAddress.Parse("::ffff:10.0.0.1"), 1).IsIPv4);
    }
}
