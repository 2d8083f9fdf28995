using System.Net;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Configuration;

/// <summary>The forms from the issues, exactly as written there, must load.</summary>
public class IssueExamplesTests
{
    internal const string DnsExample = """
        dns:
          listen: 127.0.0.53:53
          upstreams:
            - 192.0.2.53                              # untagged: names that no rule sends elsewhere
            - { address: 10.64.0.1, interface: wg0 }  # asked for names whose rule says wg0
        rules:
          - { domain: example.com, via: wg0 }
          - { name: exact.example.org, via: wg0 }
          - { cidr: 10.8.0.0/16, via: wg0 }
        """;

    internal const string UplinksExample = """
        uplinks:
          - interface: eth1
            gateway: 10.111.221.21     # or: auto
            return: symmetric
          - interface: eth2
            gateway: auto
            return: symmetric
        sources:                       # replies from these addresses leave via that uplink
          - address: 192.168.2.1
            uplink: eth2
        """;

    internal const string ProxyExample = """
        uplinks:                                # gateways of egress links
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

    private static SteerConfig Load(string text)
    {
        var result = ConfigLoader.Load(text);
        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        return result.Config;
    }

    [Fact]
    public void Resolver_with_tagged_upstream_and_the_three_rule_kinds()
    {
        var config = Load(DnsExample);
        Assert.Equal(new Endpoint(IPAddress.Parse("127.0.0.53"), 53), config.Dns!.Listen);
        Assert.Equal([new DnsUpstream(new Endpoint(IPAddress.Parse("192.0.2.53"), 53), null),
                      new DnsUpstream(new Endpoint(IPAddress.Parse("10.64.0.1"), 53), "wg0")], config.Dns.Upstreams);
        Assert.Equal("suffix example.com → via wg0 (steer.yaml:7:15)", config.Rules.MatchName("www.example.com").ToString());
        Assert.Equal("exact name exact.example.org → via wg0 (steer.yaml:8:13)", config.Rules.MatchName("exact.example.org").ToString());
        Assert.Equal("prefix 10.8.0.0/16 → via wg0 (steer.yaml:9:13)", config.Rules.MatchAddress(IPAddress.Parse("10.8.3.4")).ToString());
        Assert.Empty(ConfigLoader.Load(DnsExample).Warnings);
    }

    [Fact]
    public void Uplinks_with_gateways_return_paths_and_sources()
    {
        var config = Load(UplinksExample);
        Assert.Equal(["eth1", "eth2"], config.Uplinks.Select(u => u.Interface));
        var eth1 = config.FindUplink("eth1")!;
        Assert.Equal(Gateway.Static(IPAddress.Parse("10.111.221.21")), eth1.Gateway4);
        Assert.Equal(Gateway.Auto, eth1.Gateway6);
        Assert.Equal(ReturnPath.Symmetric, eth1.Return);
        Assert.Equal(Gateway.Auto, config.FindUplink("eth2")!.Gateway4);
        Assert.All(config.Uplinks, u => Assert.True(config.Routing.Tables.Contains(u.Table)));
        Assert.NotEqual(config.Uplinks[0].Table, config.Uplinks[1].Table);
        Assert.Equal([new SourceRoute(Cidr.Parse("192.168.2.1/32"), "eth2")], config.Sources);
    }

    [Fact]
    public void Proxy_with_inbounds_default_and_an_outbound_via_an_uplink()
    {
        var config = Load(ProxyExample);
        var proxy = config.Proxy!;
        Assert.Equal(new TproxyInbound(7893, new[] { "lan0" }.ToEquatableArray()), proxy.Tproxy);
        Assert.Equal(new SocksInbound(new Endpoint(IPAddress.Loopback, 1080)), proxy.Socks);
        Assert.Null(proxy.Default);
        Assert.Equal([new Outbound("corp", OutboundProtocol.Socks5, new Endpoint(IPAddress.Parse("10.1.1.1"), 1080), "wg0")], proxy.Outbounds);
        Assert.Equal(new OutboundAction("corp"), config.Rules.MatchName("git.corp.example")!.Value.Rule.Action);
        Assert.Equal(RejectAction.Instance, config.Rules.MatchAddress(IPAddress.Parse("10.1.1.1"))!.Value.Rule.Action);
    }

    [Fact]
    public void Empty_file_is_the_empty_configuration()
    {
        Assert.Equal(SteerConfig.Empty, Load(""));
        Assert.Equal(SteerConfig.Empty, Load("# nothing yet\n"));
        Assert.Equal(SteerConfig.Empty, Load("---\n"));
    }
}

public class RuleFormsTests
{
    [Fact]
    public void A_list_of_matches_is_one_rule_per_item_each_with_its_own_location()
    {
        var config = ConfigLoader.LoadOrThrow("""
            rules:
              - { domain: [example.com, example.net], via: wg0 }
              - cidr:
                  - 10.0.0.0/8
                  - fd00::/8
                action: reject
            """);
        Assert.Equal(["domain example.com via wg0", "domain example.net via wg0", "cidr 10.0.0.0/8 reject", "cidr fd00::/8 reject"],
            config.Rules.Select(r => r.ToString()));
        Assert.Equal([(2, 16), (2, 29), (4, 9), (5, 9)], config.Rules.Select(r => (r.Location!.Value.Line, r.Location!.Value.Column)));
        Assert.Equal(["steer.yaml:1:19: error: domain: the list is empty; give at least one value"],
            ConfigLoader.Load("rules: [{ domain: [], via: wg0 }]").Errors.Select(e => e.ToString()));
    }
}
