using Steer.Policy.Configuration;

namespace Steer.Policy.Tests.Configuration;

public class CanonicalYamlTests
{
    [Fact]
    public void Writes_every_default_and_reloads_to_an_equal_configuration()
    {
        var config = ConfigLoader.LoadOrThrow(IssueExamplesTests.ProxyExample);
        var text = config.ToCanonicalYaml();
        Assert.Equal("""
            routing:
              tables: 1000-1999
              priorities: 10000-10999
            uplinks:
              - { interface: wan0, gateway: auto, gateway6: auto, return: symmetric, table: 1915 }
              - { interface: wg0, gateway: 10.64.0.1, gateway6: auto, return: symmetric, table: 1553 }
            sources: []
            rules:
              - { domain: corp.example, outbound: corp }
              - { domain: example.com, via: wg0 }
              - { cidr: 10.0.0.0/8, action: reject }
            proxy:
              tproxy: { port: 7893, interfaces: [lan0] }
              socks: { listen: "127.0.0.1:1080" }
              default: auto
              outbounds:
                - { name: corp, type: socks5, server: "10.1.1.1:1080", via: wg0 }

            """.ReplaceLineEndings("\n"), text);
        var reloaded = ConfigLoader.LoadOrThrow(text);
        Assert.Equal(config, reloaded);
        Assert.Equal(text, reloaded.ToCanonicalYaml());
    }

    [Fact]
    public void Dns_and_sources_round_trip()
    {
        foreach (var example in new[] { IssueExamplesTests.DnsExample, IssueExamplesTests.UplinksExample })
        {
            var config = ConfigLoader.LoadOrThrow(example);
            var text = config.ToCanonicalYaml();
            Assert.Equal(config, ConfigLoader.LoadOrThrow(text));
            Assert.Equal(text, ConfigLoader.LoadOrThrow(text).ToCanonicalYaml());
        }
        Assert.Contains("    - { address: \"10.64.0.1:53\", interface: wg0 }\n", ConfigLoader.LoadOrThrow(IssueExamplesTests.DnsExample).ToCanonicalYaml());
        Assert.Contains("  - { address: 192.168.2.1/32, uplink: eth2 }\n", ConfigLoader.LoadOrThrow(IssueExamplesTests.UplinksExample).ToCanonicalYaml());
    }

    [Fact]
    public void Order_of_rules_and_uplinks_in_the_file_does_not_change_the_configuration()
    {
        var a = ConfigLoader.LoadOrThrow("""
            uplinks: [{ interface: eth1 }, { interface: eth2 }]
            rules: [{ domain: a.example, via: eth1 }, { cidr: 10.0.0.0/8, via: eth2 }]
            """);
        var b = ConfigLoader.LoadOrThrow("""
            rules:
              - cidr: 10.0.0.0/8
                via: eth2
              - domain: A.Example.
                via: eth1
            uplinks:
              - interface: eth2
              - interface: eth1
            """);
        Assert.Equal(a, b);
        Assert.Equal(a.ToCanonicalYaml(), b.ToCanonicalYaml());
        Assert.NotEqual(a, ConfigLoader.LoadOrThrow("uplinks: [{ interface: eth1 }, { interface: eth2, return: none }]\nrules: [{ domain: a.example, via: eth1 }, { cidr: 10.0.0.0/8, via: eth2 }]"));
    }
}
