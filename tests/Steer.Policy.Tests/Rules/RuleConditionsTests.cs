using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Rules;

/// <summary>Port, protocol and source conditions: steer.yaml, the state file, precedence, findings.</summary>
public class RuleConditionsTests
{
    private const string Yaml = """
        rules:
          - { domain: example.com, via: wan0 }
          - { domain: example.com, port: 443, via: wg0 }
          - { domain: example.com, port: [80, 443, 8000-8999], source: 192.168.1.0/24, via: eth1 }
          - { domain: example.com, port: 53, protocol: udp, action: reject }
          - { cidr: 10.0.0.0/8, via: wan0 }
          - { cidr: 10.0.0.0/8, source: [10.1.0.0/16, "fd00::/8"], outbound: corp }
          - { port: 22, via: wan0 }
          - { source: 10.9.0.0/16, outbound: corp }
        proxy:
          default: auto
          outbounds:
            - { name: corp, type: socks5, server: "10.1.1.1:1080", via: wg0 }
        """;

    private static RuleSet Rules => ConfigLoader.LoadOrThrow(Yaml).Rules;

    private static RuleMatch? Flow(string? name, string? address, ushort? port, FlowProtocol protocol = FlowProtocol.Tcp, string? source = "192.0.2.7") =>
        Rules.MatchFlow(new FlowKey(name, address is null ? null : IPAddress.Parse(address), port, protocol, source is null ? null : IPAddress.Parse(source)));

    [Fact]
    public void Conditions_narrow_a_destination_and_the_narrowest_met_wins()
    {
        Assert.Equal("via wan0", Flow("www.example.com", null, 22)!.Value.Rule.Action.ToString());
        Assert.Equal("via wg0", Flow("www.example.com", null, 443)!.Value.Rule.Action.ToString());
        // Port and source beat port alone.
        Assert.Equal("via eth1", Flow("www.example.com", null, 443, source: "192.168.1.9")!.Value.Rule.Action.ToString());
        Assert.Equal("reject", Flow("example.com", null, 53, FlowProtocol.Udp)!.Value.Rule.Action.ToString());
        Assert.Equal("via wan0", Flow("example.com", null, 53, FlowProtocol.Tcp)!.Value.Rule.Action.ToString());
    }

    [Fact]
    public void Why_names_the_level_and_the_conditions()
    {
        var match = Flow("www.example.com", null, 443)!.Value;
        Assert.Equal(MatchKind.DomainSuffix, match.Kind);
        Assert.Equal("suffix example.com, port 443 → via wg0 (steer.yaml:3:15)", match.ToString());
        Assert.Equal("any destination, port 22", Flow(null, "192.0.2.1", 22)!.Value.Why);
    }

    [Fact]
    public void Any_destination_ranks_below_every_destination()
    {
        // 10.1.2.3 port 22 is under cidr 10.0.0.0/8: that level wins over "port 22".
        Assert.Equal("prefix 10.0.0.0/8", Flow(null, "10.1.2.3", 22)!.Value.Why);
        Assert.Equal("prefix 10.0.0.0/8, source 10.1.0.0/16,fd00::/8", Flow(null, "10.1.2.3", 22, source: "10.1.5.5")!.Value.Why);
        Assert.Equal("any destination, source 10.9.0.0/16", Flow(null, "192.0.2.1", 80, source: "10.9.1.1")!.Value.Why);
        Assert.Null(Flow(null, "192.0.2.1", 80));
    }

    [Fact]
    public void Host_planes_never_see_flow_rules()
    {
        Assert.Equal("domain example.com via wan0", Rules.MatchName("www.example.com")!.Value.Rule.ToString());
        Assert.Equal("cidr 10.0.0.0/8 via wan0", Rules.MatchAddress(IPAddress.Parse("10.1.2.3"))!.Value.Rule.ToString());
        Assert.Null(Rules.MatchAddress(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void An_unknown_port_or_source_meets_no_condition_on_it()
    {
        Assert.Equal("suffix example.com", Flow("www.example.com", null, null)!.Value.Why);
        Assert.Equal("suffix example.com", Flow("www.example.com", null, 53, FlowProtocol.Any)!.Value.Why);
        Assert.Equal("suffix example.com, port 443", Flow("www.example.com", null, 443, source: null)!.Value.Why);
    }

    [Fact]
    public void The_canonical_yaml_and_the_state_file_round_trip()
    {
        var config = ConfigLoader.LoadOrThrow(Yaml);
        var text = config.ToCanonicalYaml();
        Assert.Contains("  - { domain: example.com, port: [80, 443, 8000-8999], source: 192.168.1.0/24, via: eth1 }\n", text, StringComparison.Ordinal);
        Assert.Contains("  - { port: 53, protocol: udp, action: reject }\n".Replace("{ ", "{ domain: example.com, ", StringComparison.Ordinal), text, StringComparison.Ordinal);
        Assert.Contains("  - { cidr: 10.0.0.0/8, source: [10.1.0.0/16, \"fd00::/8\"], outbound: corp }\n", text, StringComparison.Ordinal);
        Assert.Contains("  - { port: 22, via: wan0 }\n", text, StringComparison.Ordinal);
        var reloaded = ConfigLoader.LoadOrThrow(text);
        Assert.Equal(config.Rules, reloaded.Rules);
        Assert.Equal(text, reloaded.ToCanonicalYaml());

        var file = RuleFile.Format(config.Rules);
        Assert.Contains("domain example.com port 80,443,8000-8999 source 192.168.1.0/24 via eth1\n", file, StringComparison.Ordinal);
        Assert.Contains("any * port 22 via wan0\n", file, StringComparison.Ordinal);
        Assert.Equal(config.Rules, RuleFile.Parse(new StringReader(file), "rules"));
    }

    [Fact]
    public void State_file_conditions_are_checked_line_by_line()
    {
        var thrown = Assert.Throws<FormatException>(() => RuleFile.Parse(new StringReader(
            "domain a.com port 70000 via wg0\ndomain b.com port 90-80 via wg0\ndomain c.com protocol sctp via wg0\ndomain d.com source 10.0.0.0/33 via wg0\nany * via wg0\ndomain e.com port 1 port 2 via wg0\n"), "rules"));
        Assert.Equal([
            "rules:1: port: 70000 is not a port: ports are 0-65535",
            "rules:2: port: '90-80' runs backwards: write the lower port first (80-90)",
            "rules:3: protocol: 'sctp' is not tcp or udp",
            "rules:4: source: 10.0.0.0/33: prefix length 33 is out of range 0..32 for IPv4",
            "rules:5: any * needs a condition (port, protocol or source)",
            "rules:6: port is given twice; give one list (80,443,8000-8999)",
        ], thrown.Message.Split('\n'));
    }

    [Fact]
    public void Bad_conditions_in_steer_yaml_are_reported_at_their_values()
    {
        var result = ConfigLoader.Load("""
            rules:
              - { domain: a.com, port: 70000, via: wg0 }
              - { domain: b.com, port: [80, 90-80], via: wg0 }
              - { domain: c.com, source: 10.0.0.0/33, via: wg0 }
              - { domain: d.com, protocol: icmp, via: wg0 }
              - { domain: e.com, port: [], via: wg0 }
              - { via: wg0 }
            """);
        Assert.Equal([
            "steer.yaml:2:28: error: port: 70000 is not a port: ports are 0-65535",
            "steer.yaml:3:33: error: port: '90-80' runs backwards: write the lower port first (80-90)",
            "steer.yaml:4:30: error: source: 10.0.0.0/33: prefix length 33 is out of range 0..32 for IPv4",
            "steer.yaml:5:32: error: protocol: 'icmp' is not one of: tcp, udp",
            "steer.yaml:6:28: error: port: the list is empty; give at least one value, or leave port out for any",
            "steer.yaml:7:5: error: a rule needs one match: domain: SUFFIX, name: EXACT-NAME or cidr: NETWORK, or a condition (port:, protocol:, source:) to match any destination",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Flow_rules_without_a_proxy_section_earn_a_warning()
    {
        var result = ConfigLoader.Load("rules:\n  - { domain: a.com, port: 443, via: wg0 }\n  - { port: 22, via: wg0 }\n");
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Warnings).ToString();
        Assert.Contains("apply to proxied flows only, and there is no proxy section", warning, StringComparison.Ordinal);
        Assert.StartsWith("steer.yaml:2:15: warning: domain a.com, port 443 via wg0 and 1 more rule(s)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_destination_and_conditions_with_two_actions_is_a_conflict_but_other_conditions_are_not()
    {
        Assert.True(RuleSet.TryBuild([
            Rule.Create(new DomainDestination(Steer.Policy.Names.DomainName.Parse("a.com")), new ViaAction("wg0"), RuleConditions.Of(PortSet.Single(443))),
            Rule.Create(new DomainDestination(Steer.Policy.Names.DomainName.Parse("a.com")), new ViaAction("eth1"), RuleConditions.Of(PortSet.Single(80))),
            new Rule(new DomainDestination(Steer.Policy.Names.DomainName.Parse("a.com")), new ViaAction("eth2")),
        ], out _, out _));
        Assert.False(RuleSet.TryBuild([
            Rule.Create(new DomainDestination(Steer.Policy.Names.DomainName.Parse("a.com")), new ViaAction("wg0"), RuleConditions.Of(PortSet.Of(((ushort)443, (ushort)443), ((ushort)80, (ushort)80)))),
            Rule.Create(new DomainDestination(Steer.Policy.Names.DomainName.Parse("a.com")), new ViaAction("eth1"), RuleConditions.Of(PortSet.Of(((ushort)80, (ushort)80), ((ushort)443, (ushort)443)))),
        ], out _, out var conflicts));
        Assert.Equal("domain a.com, port 80,443 has two actions: via wg0 and via eth1; a destination can have one action only", Assert.Single(conflicts).Message);
    }

    [Fact]
    public void Findings_tell_overrides_overlaps_and_redundancy()
    {
        var findings = ConfigLoader.LoadOrThrow("""
            rules:
              - { domain: a.com, via: wan0 }
              - { domain: a.com, port: 443, via: wg0 }
              - { domain: a.com, source: 10.0.0.0/8, via: eth1 }
              - { domain: a.com, port: 443, source: 10.1.0.0/16, via: wg0 }
              - { domain: a.com, port: 80, via: wan0 }
            proxy: { default: auto }
            """).Rules.Findings().Select(f => f.ToString()).ToList();
        Assert.Contains("warning: domain a.com, source 10.0.0.0/8 via eth1 (at steer.yaml:4:15) and domain a.com, port 443 via wg0 (at steer.yaml:3:15) both match some flows; " +
                        "the first wins them (its conditions rank first: more kinds, then narrower) — add a rule for the overlap if that is not meant", findings);
        Assert.Contains("info: domain a.com, port 443, source 10.1.0.0/16 via wg0 overrides domain a.com, source 10.0.0.0/8 via eth1 (at steer.yaml:4:15) " +
                        "for a.com and the names under it (port 443, source 10.1.0.0/16; proxied flows only)", findings);
        Assert.Contains("info: domain a.com, port 80 via wan0 is redundant: domain a.com via wan0 (at steer.yaml:2:15) already sends a.com and the names under it " +
                        "(port 80; proxied flows only) the same way", findings);
    }

    [Fact]
    public void Has_name_rules_counts_conditioned_name_rules_too()
    {
        Assert.False(RuleSet.Build([new Rule(new CidrDestination(Cidr.Parse("10.0.0.0/8")), new ViaAction("wg0"))]).HasNameRules);
        Assert.True(RuleSet.Build([Rule.Create(new DomainDestination(Steer.Policy.Names.DomainName.Parse("a.com")), new ViaAction("wg0"), RuleConditions.Of(PortSet.Single(443)))]).HasNameRules);
        Assert.True(Rules.HasNameRules);
        Assert.False(RuleSet.Empty.HasNameRules);
    }

    [Fact]
    public void Port_sets_merge_and_print_canonically()
    {
        Assert.Null(PortSet.TryParse("443, 80,81-90 ,8000-8999,82", out var ports));
        Assert.Equal("80-90,443,8000-8999", ports!.ToString());
        Assert.Equal(1 + 11 + 1000, ports.Count);
        Assert.True(ports.Contains(85) && !ports.Contains(91) && ports.Contains(8999));
    }

    [Fact]
    public void Port_text_parses_or_says_why() =>
        Check.One(Generators.Config, Prop.ForAll(ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "").ToArbitrary(), text =>
        {
            var problem = PortSet.TryParse(text, out var ports);
            if (problem is null)
                Assert.Equal(ports, Assert.IsType<PortSet>(PortSet.TryParse(ports!.ToString(), out var again) is null ? again : null));
            else
                Assert.NotEmpty(problem);
        }));
}
