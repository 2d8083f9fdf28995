using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Integration.Tests.Run;
using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// `steer start` end to end in a lab: the host's resolver (dnsmasq on the server, reached through
/// up1) answers www.example.test; a domain rule sends example.test via up2; the daemon, learning
/// from the answer it sees, decides the address, and a program's connection leaves through up2
/// while the main table says up1. The daemon is attached to a throw-away cgroup, with its own
/// run and state directories, so nothing of the host's is touched.
/// </summary>
public sealed class DomainRoutingTests : DaemonLabTest
{
    private const string Resolver = Up1Resolver;

    protected override void StartServers(LabHost server) =>
        Dnsmasq(server, Resolver, "--address=/example.test/10.9.0.1", "--address=/example.test/fd00:9::1");

    [Fact]
    public async Task A_domain_rule_sends_the_names_addresses_through_its_uplink_and_stop_removes_everything()
    {
        TwoUplinks.SkipUnlessSupported();
        (await SteerCli("rule", "add", "example.test", "up2")).EnsureSuccess();
        (await SteerCli("start", "--cgroup", CgroupName)).EnsureSuccess();
        var status = (await SteerCli("status", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("\"running\": true", status, StringComparison.Ordinal);
        Assert.Contains("\"rules\": 1", status, StringComparison.Ordinal);

        // Before any answer: no decision, the main table (up1).
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1"));

        foreach (var type in new[] { "A", "AAAA" })
        {
            var answer = (await Host.ExecAsync("dig", $"@{Resolver}", "+short", "+tries=1", "+time=2", "www.example.test", type)).EnsureSuccess();
            Assert.NotEmpty(answer.Stdout.Trim());
        }
        await WaitForDecisions(2);
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: true), await SourceSeen("fd00:9::1"));

        var decisions = (await SteerCli("decision")).EnsureSuccess().Stdout;
        Assert.Contains("10.9.0.1", decisions, StringComparison.Ordinal);

        (await SteerCli("stop")).EnsureSuccess();
        Assert.Equal(3, (await SteerCli("status")).ExitCode);
        Assert.False(Directory.Exists(Steer.Daemon.DaemonPaths.For(RunDir, StateDir).HostPins)); // other tests' daemons may run meanwhile
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1"));
    }

    [Fact]
    public async Task A_killed_daemon_leaves_decisions_enforced_and_a_restart_adopts_them()
    {
        TwoUplinks.SkipUnlessSupported();
        (await SteerCli("rule", "add", "example.test", "up2")).EnsureSuccess();
        (await SteerCli("start", "--cgroup", CgroupName)).EnsureSuccess();
        (await Host.ExecAsync("dig", $"@{Resolver}", "+short", "www.example.test", "A")).EnsureSuccess();
        await WaitForDecisions(1);
        var status = (await SteerCli("status", "--json")).EnsureSuccess().Stdout;
        int pid = System.Text.Json.JsonDocument.Parse(status).RootElement.GetProperty("pid").GetInt32();
        _ = Steer.Linux.Native.Libc.kill(pid, 9);
        while (Directory.Exists($"/proc/{pid}"))
            await Task.Delay(20);

        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1")); // fail closed: still decided
        (await SteerCli("start", "--cgroup", CgroupName)).EnsureSuccess();
        Assert.Contains("10.9.0.1", (await SteerCli("decision")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
    }

    [Fact]
    public async Task The_resolver_asks_the_rules_upstream_over_its_uplink_and_decides_before_answering()
    {
        TwoUplinks.SkipUnlessSupported();
        // The up2 resolver knows the truth; the default one (reached through up1) would lie.
        Dnsmasq(Lab["server"], Up2Resolver, "--local-ttl=60", "--address=/example.test/10.9.0.1", "--address=/example.test/fd00:9::1");
        await Task.Delay(300);
        var askedUp1 = Host.CountPackets($"oifname \"up1\" ip daddr {Resolver} udp dport 53");
        var askedUp2 = Host.CountPackets($"oifname \"up2\" ip daddr 10.2.0.1 udp dport 53");
        (await SteerCli("rule", "add", "example.test", "up2")).EnsureSuccess();
        (await SteerCli("start", "--cgroup", CgroupName, "--dns-listen", "127.0.0.1:5353", "--upstream", "10.1.0.1", "--upstream", "up2=10.2.0.1")).EnsureSuccess();

        foreach (var transport in new[] { "+notcp", "+tcp" })
        {
            var answer = (await Host.ExecAsync("dig", "@127.0.0.1", "-p", "5353", transport, "+short", "+tries=1", "+time=3", "www.example.test", "A")).EnsureSuccess();
            Assert.Equal("10.9.0.1", answer.Stdout.Trim());
        }
        Assert.Equal(0, askedUp1.Read()); // the name never went to up1's resolver
        Assert.Equal(1, askedUp2.Read()); // asked once; the second query was answered from the cache
        // No waiting: the decision was in the kernel before the answer left.
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));

        Assert.Contains("www.example.test", (await SteerCli("rdns", "10.9.0.1")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        var byName = (await SteerCli("explain", "www.example.test")).EnsureSuccess().Stdout;
        Assert.Contains("domain example.test via up2, suffix example.test", byName, StringComparison.Ordinal);
        Assert.Contains("interface    up2 (index", byName, StringComparison.Ordinal);
        var byAddress = (await SteerCli("explain", "10.9.0.1")).EnsureSuccess().Stdout;
        Assert.Contains("rule         none", byAddress, StringComparison.Ordinal); // no CIDR rule; the name decided it
        Assert.Contains("decision     in the kernel: up2 (ifindex", byAddress, StringComparison.Ordinal);

        // A name no rule covers goes to the untagged upstream, through the main table.
        var other = (await Host.ExecAsync("dig", "@127.0.0.1", "-p", "5353", "+short", "+tries=1", "+time=3", "www.example.test.other", "A"));
        Assert.Equal(0, other.ExitCode);
        Assert.True(askedUp1.Read() > 0);
        var status = (await SteerCli("status", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("\"queries\": 3", status, StringComparison.Ordinal);
        Assert.Contains("\"cacheHits\": 1", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cidr_rules_bind_without_any_DNS_and_follow_rule_changes()
    {
        TwoUplinks.SkipUnlessSupported();
        (await SteerCli("rule", "add", "10.9.0.0/24", "up2")).EnsureSuccess();
        (await SteerCli("rule", "add", "fd00:9::/64", "up2")).EnsureSuccess();
        (await SteerCli("start", "--cgroup", CgroupName)).EnsureSuccess();
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: true), await SourceSeen("fd00:9::1"));

        // A rule removed while the daemon runs stops binding at once.
        Assert.Contains("the daemon has it", (await SteerCli("rule", "del", "10.9.0.0/24")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1"));
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: true), await SourceSeen("fd00:9::1"));
    }

    [Fact]
    public async Task Apply_takes_a_new_config_all_or_nothing()
    {
        TwoUplinks.SkipUnlessSupported();
        var config = await Config("rules:\n  - { domain: example.test, via: up2 }\n");
        (await SteerCli("start", "--cgroup", CgroupName, "-c", config)).EnsureSuccess();
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1"));

        await File.WriteAllTextAsync(config, "rules:\n  - { cidr: 10.9.0.0/24, via: up2 }\n  - { cidr: 10.9.0.0/33, via: up2 }\n");
        var bad = await SteerCli("apply", "-c", config);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{config}:3:", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1")); // nothing changed

        await File.WriteAllTextAsync(config, "rules:\n  - { cidr: 10.9.0.0/24, via: up2 }\n");
        Assert.Contains("1 rules in force", (await SteerCli("apply")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
    }

    [Fact]
    public async Task Apply_changes_the_resolvers_upstreams_and_address_in_place_or_nothing()
    {
        TwoUplinks.SkipUnlessSupported();
        Lab["server"].Start("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
            "--listen-address=10.2.0.1", "--bind-interfaces", "--port=53", "--address=/example.test/10.9.0.2");
        Host.Start("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=5355"); // holds the address the last apply asks for
        await Task.Delay(300);
        var config = await Config($"dns:\n  listen: 127.0.0.1:5353\n  upstreams:\n    - {Resolver}\n  max-decisions: 4096\n");
        (await SteerCli("start", "--cgroup", CgroupName, "-c", config)).EnsureSuccess();
        Assert.Equal("10.9.0.1", await DigAt(5353));
        var status = System.Text.Json.JsonDocument.Parse((await SteerCli("status", "--json")).EnsureSuccess().Stdout).RootElement;
        Assert.Equal(4096u, status.GetProperty("decisionCapacity").GetUInt32()); // the kernel's maps were made that size

        await File.WriteAllTextAsync(config, "dns:\n  listen: 127.0.0.1:5354\n  upstreams:\n    - 10.2.0.1\n");
        Assert.Contains("the resolver now listens on 127.0.0.1:5354", (await SteerCli("apply")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal("10.9.0.2", await DigAt(5354));
        Assert.Null(await DigAt(5353)); // the old address is let go

        await File.WriteAllTextAsync(config, "dns:\n  listen: 127.0.0.1:5355\n  upstreams:\n    - 10.1.0.1\n");
        var refused = await SteerCli("apply");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("nothing changed", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
        Assert.Equal("10.9.0.2", await DigAt(5354)); // still the resolver and upstream in force

        await File.WriteAllTextAsync(config, "dns:\n  listen: 127.0.0.1:5354\n  upstreams:\n    - 10.1.0.1\n  max-decisions: 8192\n");
        var applied = (await SteerCli("apply")).EnsureSuccess().Stdout;
        Assert.Equal("10.9.0.1", await DigAt(5354)); // same address, upstream swapped
        Assert.Contains("dns.max-decisions takes effect at the next `steer start`", applied, StringComparison.Ordinal); // the maps keep their size
    }

    private async Task<string?> DigAt(int port)
    {
        var result = await Host.ExecAsync("dig", "@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "+short", "+tries=1", "+time=2", "www.example.test", "A");
        return result.ExitCode == 0 && result.Stdout.Trim() is { Length: > 0 } answer ? answer : null;
    }
}
