using Steer.Policy.Configuration;

namespace Steer.Policy.Tests.Configuration;

/// <summary>Every error names file:line:column, what is wrong and what is expected.</summary>
public class ConfigErrorTests
{
    private static string[] Errors(string yaml)
    {
        var result = ConfigLoader.Load(yaml);
        Assert.Null(result.Config);
        Assert.NotEmpty(result.Errors);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    private static string[] Warnings(string yaml)
    {
        var result = ConfigLoader.Load(yaml);
        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        return [.. result.Warnings.Select(e => e.ToString())];
    }

    [Fact]
    public void Unknown_keys_list_the_valid_ones_and_the_nearest()
    {
        Assert.Equal(["steer.yaml:1:1: error: unknown key 'dsn' in the top level of steer.yaml; did you mean 'dns'? (valid keys: routing, uplinks, sources, dns, rules, proxy)"],
            Errors("dsn: {}"));
        // Only the misspelling is reported, not also the key it misspells as missing.
        Assert.Equal(["steer.yaml:1:13: error: unknown key 'Interface' in an uplink; did you mean 'interface'? (valid keys: interface, gateway, gateway6, return, table)"],
            Errors("uplinks: [{ Interface: eth1 }]"));
        Assert.Equal(["steer.yaml:1:11: error: unknown key 'color' in a rule (valid keys: domain, name, cidr, port, protocol, source, via, action, outbound)"],
            Errors("rules: [{ color: red, domain: a.example, via: wg0 }]"));
    }

    [Fact]
    public void Wrong_types_say_what_was_expected_and_what_was_found()
    {
        Assert.Equal(["steer.yaml:1:10: error: uplinks: expected a list (lines starting with '- ', or [a, b]), got 'eth1'"], Errors("uplinks: eth1"));
        Assert.Equal(["steer.yaml:2:11: error: dns.listen: expected ADDRESS[:PORT], got a list"],
            Errors("dns:\n  listen: [a]\n  upstreams: [192.0.2.53]"));
        Assert.Equal(["steer.yaml:1:8: error: proxy: expected a mapping (key: value), got a list"], Errors("proxy: [tproxy]"));
        Assert.Equal(["steer.yaml:1:1: error: the top level of steer.yaml: expected a mapping (key: value), got a list"], Errors("- rules"));
        Assert.Equal(["steer.yaml:1:35: error: via: expected an interface name such as eth0 or wg0, got nothing"],
            Errors("rules: [{ domain: a.example, via: }]"));
    }

    [Fact]
    public void Bad_values_carry_the_parser_s_precise_reason()
    {
        Assert.Equal([
            "steer.yaml:2:13: error: cidr: 10.0.0.0/33: prefix length 33 is out of range 0..32 for IPv4",
            "steer.yaml:3:15: error: domain: *.example.com: wildcards are not needed: a `domain:` rule for 'example.com' already covers every subdomain (use `name:` to match one exact name only)",
            "steer.yaml:4:31: error: via: whitespace is not allowed in a Linux interface name (position 3)",
            "steer.yaml:5:13: error: name: 10.0.0.1: this is an IPv4 address, not a name; write a `cidr:` rule for addresses",
        ], Errors("""
            rules:
              - { cidr: 10.0.0.0/33, via: wg0 }
              - { domain: "*.example.com", via: wg0 }
              - { domain: a.example, via: "wg 0" }
              - { name: 10.0.0.1, via: wg0 }
            """));
    }

    [Fact]
    public void A_rule_has_exactly_one_match_and_one_action()
    {
        Assert.Equal([
            "steer.yaml:2:5: error: a rule needs one action: via: IFACE, action: reject or outbound: NAME",
            "steer.yaml:3:36: error: a rule has exactly one action; this one has via and outbound: choose one",
            "steer.yaml:4:5: error: a rule needs one match: domain: SUFFIX, name: EXACT-NAME or cidr: NETWORK, or a condition (port:, protocol:, source:) to match any destination",
            "steer.yaml:5:26: error: a rule has exactly one match; this one has domain and cidr: write one rule for each",
            "steer.yaml:6:34: error: action: 'drop' is not an action; the one action word is reject (to use an interface write via: IFACE, for a proxy outbound write outbound: NAME)",
        ], Errors("""
            rules:
              - { domain: a.example }
              - { domain: b.example, via: wg0, outbound: corp }
              - { via: wg0 }
              - { domain: c.example, cidr: 10.0.0.0/8, via: wg0 }
              - { domain: d.example, action: drop }
            """));
    }

    [Fact]
    public void References_must_resolve()
    {
        Assert.Equal([
            "steer.yaml:3:5: error: uplink eth1 is already defined at line 2; one entry per interface",
            "steer.yaml:4:43: error: uplink: 'eth3' is not an uplink; did you mean 'eth1'? (uplinks are: eth1)",
            "steer.yaml:6:39: error: outbound: 'crop' is not defined; did you mean 'corp'? (outbounds are: corp)",
            "steer.yaml:8:12: error: proxy.default: 'nope' is neither auto, reject nor a defined outbound (outbounds are: corp)",
            "steer.yaml:12:7: error: outbound 'corp' is defined twice; names must be unique",
        ], Errors("""
            uplinks:
              - { interface: eth1 }
              - { interface: eth1, gateway: auto }
            sources: [{ address: 192.168.2.1, uplink: eth3 }]
            rules:
              - { domain: corp.example, outbound: crop }
            proxy:
              default: nope
              socks: { listen: "127.0.0.1:1080" }
              outbounds:
                - { name: corp, type: socks5, server: "10.1.1.1:1080" }
                - { name: corp, type: socks5, server: "10.1.1.2:1080" }
            """));
    }

    [Fact]
    public void Outbounds_without_a_proxy_section_are_undefined()
    {
        Assert.Equal(["steer.yaml:1:43: error: outbound: 'corp' is not defined (there is no proxy section; define it under proxy.outbounds)"],
            Errors("rules: [{ domain: corp.example, outbound: corp }]"));
    }

    [Fact]
    public void Rules_may_use_interfaces_that_are_not_uplinks()
    {
        Assert.Empty(Warnings("uplinks: [{ interface: eth0 }]\nrules: [{ domain: example.com, via: tun7 }]"));
    }

    [Fact]
    public void Conflicting_rules_name_both_places_and_duplicates_warn()
    {
        Assert.Equal(["steer.yaml:3:15: error: domain example.com has two actions: via wg0 (at steer.yaml:2:15) and reject; a destination can have one action only"],
            Errors("""
                rules:
                  - { domain: example.com, via: wg0 }
                  - { domain: Example.com., action: reject }
                """));
        Assert.Equal([
            "steer.yaml:2:13: warning: cidr: 10.1.2.3/8 has host bits set; it means 10.0.0.0/8",
            "steer.yaml:3:13: warning: cidr 10.0.0.0/8 reject is written twice (at steer.yaml:2:13); the repetition has no effect",
        ], Warnings("""
                rules:
                  - { cidr: 10.1.2.3/8, action: reject }
                  - { cidr: 10.0.0.0/8, action: reject }
                """));
    }

    [Fact]
    public void Yaml_problems_are_located()
    {
        Assert.Equal(["steer.yaml:2:1: error: not valid YAML: While parsing a node, did not find expected node content."], Errors("rules: [\n"));
        Assert.Equal(["steer.yaml:2:1: error: 'rules' is given twice in this mapping (first at line 1); keep one"], Errors("rules: []\nrules: []"));
        Assert.Equal(["steer.yaml:2:10: error: the alias *r is not supported; write the value out where it is needed"],
            Errors("uplinks: &r [{ interface: eth1 }]\nsources: *r"));
        Assert.Equal(["steer.yaml:1:10: error: the YAML tag !!int is not supported; Steer reads every value by its key"], Errors("uplinks: !!int 3"));
        Assert.Equal(["steer.yaml:2:1: error: a second YAML document ('---'); steer.yaml holds one document"], Errors("rules: []\n---\nrules: []"));
        Assert.Equal(["steer.yaml:1:33: error: nested more than 32 levels deep"], Errors(new string('[', 40) + new string(']', 40)));
    }

    [Fact]
    public void Yaml_parser_failures_other_than_YamlException_are_errors_too()
    {
        // YamlDotNet 16.3's scanner throws InvalidOperationException for this; found by the property test.
        Assert.Equal(["steer.yaml:2:8: error: not valid YAML after this point (the YAML parser gave up: Operation is not valid due to the current state of the object.)"],
            Errors("uplinks:\n - { a }\n { - { interface: wg0 }\nsources: []"));
    }

    [Fact]
    public void Gateways_families_tables_and_ranges_are_checked()
    {
        Assert.Equal([
            "steer.yaml:1:20: error: routing.tables: 200-300 includes the kernel's own tables 253 (default), 254 (main) and 255 (local); choose a range without them",
            "steer.yaml:1:41: error: routing.priorities: 40000 is out of range 1..32765: Steer's rules must come before the main table's rule at priority 32766, and 0 is the kernel's local rule",
            "steer.yaml:3:33: error: gateway: fe80::1 is an IPv6 address; 'gateway' is the IPv4 gateway, put it under 'gateway6'",
            "steer.yaml:4:34: error: gateway6: 10.0.0.1 is an IPv4 address; 'gateway6' is the IPv6 gateway, put it under 'gateway'",
            "steer.yaml:5:33: error: gateway: IPv4 address '10.0.0' has 3 dotted parts, not 4 (no implicit completion; did you mean 10.0.0.0/24?) (or auto, or none)",
            "steer.yaml:6:32: error: return: 'asymmetric' is not one of: symmetric, none; did you mean 'symmetric'?",
        ], Errors("""
            routing: { tables: 200-300, priorities: 30000-40000 }
            uplinks:
              - { interface: eth1, gateway: fe80::1 }
              - { interface: eth2, gateway6: 10.0.0.1 }
              - { interface: eth3, gateway: 10.0.0 }
              - { interface: eth4, return: asymmetric }
            """));
        Assert.Equal([
            "steer.yaml:3:31: error: table: 5 is outside Steer's tables 1000-1999 (routing.tables); Steer only uses tables it owns",
            "steer.yaml:4:31: error: table: 1500 is already the table of uplink eth1",
        ], Errors("""
            uplinks:
              - { interface: eth1, table: 1500 }
              - { interface: eth2, table: 5 }
              - { interface: eth3, table: 1500 }
            """));
        Assert.Equal(["steer.yaml:3:5: error: routing.tables 1000-1001 has 2 tables, too few for 3 uplinks; widen the range"],
            Errors("routing: { tables: 1000-1001 }\nuplinks:\n  - { interface: a }\n  - { interface: b }\n  - { interface: c }"));
    }

    [Fact]
    public void Dns_needs_an_untagged_upstream_and_takes_ports_and_IPv6()
    {
        Assert.Equal(["steer.yaml:3:14: error: dns.upstreams: no untagged upstream (one without 'interface'); names that no rule sends elsewhere would have no resolver to ask"],
            Errors("dns:\n  listen: 127.0.0.1:53\n  upstreams: [{ address: 10.64.0.1, interface: wg0 }]"));
        var config = ConfigLoader.LoadOrThrow("dns:\n  listen: \"[::1]:5353\"\n  upstreams: [\"::1\", \"[2001:db8::53]\", \"192.0.2.1:5300\", \"[fd00::1]:853\"]");
        Assert.Equal("[::1]:5353", config.Dns!.Listen.ToString());
        Assert.Equal(["[::1]:53", "[2001:db8::53]:53", "192.0.2.1:5300", "[fd00::1]:853"], config.Dns.Upstreams.Select(u => u.Server.ToString()));
        Assert.Equal([
            "steer.yaml:4:7: error: dns.upstreams: 'fe80::1%eth0' has a zone ('%'); the interface is given by its own key",
            "steer.yaml:5:7: error: dns.upstreams: port 0 is out of range 1..65535",
            "steer.yaml:6:7: error: dns.upstreams: '[::1]53' has '53' after ']'; write [IPV6]:PORT",
            "steer.yaml:7:7: error: dns.upstreams: 'fd00::1::53' is not a valid IPv6 address (to give an IPv6 address a port, write [ADDRESS]:PORT)",
            "steer.yaml:8:7: error: dns.upstreams: '[10.0.0.1]:53': brackets are for IPv6 addresses; write an IPv4 address as ADDRESS:PORT",
            "steer.yaml:9:7: error: dns.upstreams: '10.0.0.0/8' is a network; an address is expected here (no '/')",
        ], Errors("""
            dns:
              listen: 127.0.0.53
              upstreams:
                - "fe80::1%eth0"
                - 192.0.2.1:0
                - "[::1]53"
                - "fd00::1::53"
                - "[10.0.0.1]:53"
                - 10.0.0.0/8
            """));
    }

    [Fact]
    public void Rules_via_interfaces_without_a_tagged_upstream_warn_once()
    {
        Assert.Equal(["steer.yaml:5:15: warning: no dns upstream has interface: wg1, so names sent via wg1 are resolved by the untagged upstreams; add one with interface: wg1 to ask through wg1"],
            Warnings("""
                dns:
                  listen: 127.0.0.53:53
                  upstreams: [192.0.2.53, { address: 10.64.0.1, interface: wg0 }]
                rules:
                  - { domain: a.example, via: wg1 }
                  - { domain: b.example, via: wg1 }
                  - { domain: c.example, via: wg0 }
                  - { cidr: 10.0.0.0/8, via: wg2 }
                """));
    }

    [Fact]
    public void Every_error_is_collected_not_only_the_first()
    {
        var errors = Errors("""
            routing: { tables: x }
            uplinks: [{ interface: "a/b" }]
            dns: { listen: nowhere, upstreams: [] }
            rules: [{ domain: "a..b", via: wg0 }]
            proxy: { tproxy: { port: 70000, interfaces: [] } }
            """);
        Assert.Equal([
            "steer.yaml:1:20: error: routing.tables: 'x' is not a range; write FIRST-LAST, e.g. 1000-1999",
            "steer.yaml:2:24: error: interface: '/' is not allowed in a Linux interface name (position 2)",
            "steer.yaml:3:16: error: dns.listen: 'nowhere': unexpected character 'n' in address",
            "steer.yaml:3:36: error: dns.upstreams: no upstream given; list at least one resolver to ask",
            "steer.yaml:4:19: error: domain: a..b: empty label at position 3 (two dots in a row)",
            "steer.yaml:5:26: error: proxy.tproxy: port 70000 is out of range 1..65535",
            "steer.yaml:5:45: error: interfaces: give at least one interface to intercept",
        ], errors);
    }

    [Fact]
    public void Load_or_throw_throws_the_config_exception_with_every_error()
    {
        var thrown = Assert.Throws<ConfigException>(() => ConfigLoader.LoadOrThrow("dsn: 1\nrulez: 2", "/etc/steer/steer.yaml"));
        Assert.Equal(2, thrown.Errors.Count);
        Assert.StartsWith("/etc/steer/steer.yaml:1:1: error: unknown key 'dsn'", thrown.Message);
    }

    [Fact]
    public void The_decision_grace_is_whole_seconds_within_a_day()
    {
        Assert.Equal(30, ConfigLoader.LoadOrThrow("dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]").Dns!.GraceSeconds);
        Assert.Equal(0, ConfigLoader.LoadOrThrow("dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]\n  grace: 0").Dns!.GraceSeconds);
        foreach (var bad in new[] { "-1", "1.5", "86401", "soon" })
        {
            var error = Assert.Single(Errors($"dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]\n  grace: {bad}"));
            Assert.StartsWith("steer.yaml:4:10: error: dns.grace:", error, StringComparison.Ordinal);
        }
    }
}
