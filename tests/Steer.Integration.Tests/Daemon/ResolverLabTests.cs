using System.Diagnostics;
using System.Text.Json;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// Steer's resolver end to end, with a resolver per uplink (both know the same records, so only
/// the packet counters tell which was asked): CNAME chains matched at every name, exact-name
/// rules, AAAA over TCP, expiry, the inspection commands' JSON, and rules kept across stop/start.
/// </summary>
public sealed class ResolverLabTests : DaemonLabTest
{
    private static readonly string[] Records =
    [
        "--local-ttl=1",
        "--host-record=edge.cdn.test,10.9.0.1,fd00:9::1",
        "--cname=www.example.test,edge.cdn.test",
        "--cname=alias.other.test,edge.cdn.test",
        "--host-record=exact.example.test,10.9.0.1",
        "--host-record=www.exact.example.test,10.9.0.1",
    ];

    protected override void StartServers(LabHost server)
    {
        Dnsmasq(server, Up1Resolver, Records);
        Dnsmasq(server, Up2Resolver, Records);
    }

    /// <summary>Starts the daemon with a steer.yaml: Steer's resolver on 127.0.0.1:5353, up1's
    /// resolver untagged, up2's tagged up2, and <paramref name="rules"/>.</summary>
    private async Task Start(string rules, int grace = 30)
    {
        var path = await Config($$"""
            dns:
              listen: 127.0.0.1:5353
              upstreams:
                - {{Up1Resolver}}
                - { address: {{Up2Resolver}}, interface: up2 }
              grace: {{grace}}
            rules:
            {{rules}}
            """);
        (await SteerCli("start", "--cgroup", CgroupName, "-c", path)).EnsureSuccess();
    }

    /// <summary>Counts DNS queries leaving for each uplink's resolver (the upstreams are asked over UDP).</summary>
    private (PacketCounter Up1, PacketCounter Up2) CountQueries() =>
        (Host.CountPackets($"oifname \"up1\" ip daddr {Up1Resolver} udp dport 53"),
         Host.CountPackets($"oifname \"up2\" ip daddr {Up2Resolver} udp dport 53"));

    [Fact]
    public async Task A_CNAME_chain_is_decided_by_the_rule_of_its_first_name_over_UDP_and_TCP()
    {
        TwoUplinks.SkipUnlessSupported();
        await Start("  - { domain: example.test, via: up2 }");
        var (up1, up2) = CountQueries();

        Assert.Contains("10.9.0.1", await Dig("www.example.test", "A"), StringComparison.Ordinal);
        Assert.Contains("fd00:9::1", await Dig("www.example.test", "AAAA", tcp: true), StringComparison.Ordinal);
        Assert.Equal(0, up1.Read()); // the name never went to up1's resolver
        Assert.True(up2.Read() >= 2); // A and AAAA asked of up2's, over up2
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: true), await SourceSeen("fd00:9::1"));

        // The inspection commands, as JSON.
        using var decisions = JsonDocument.Parse((await SteerCli("decision", "--json")).EnsureSuccess().Stdout);
        var byAddress = decisions.RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("address").GetString()!);
        Assert.Equal("up2", byAddress["10.9.0.1"].GetProperty("interface").GetString());
        Assert.Equal("up2", byAddress["fd00:9::1"].GetProperty("interface").GetString());
        Assert.Equal("domain example.test via up2", byAddress["10.9.0.1"].GetProperty("rule").GetString()); // the daemon knows the rule
        Assert.Equal("www.example.test", byAddress["10.9.0.1"].GetProperty("name").GetString());
        using var names = JsonDocument.Parse((await SteerCli("rdns", "10.9.0.1", "--json")).EnsureSuccess().Stdout);
        Assert.Equal("www.example.test", names.RootElement[0].GetProperty("name").GetString());
        using var explained = JsonDocument.Parse((await SteerCli("explain", "10.9.0.1", "--json")).EnsureSuccess().Stdout);
        Assert.Equal("none", explained.RootElement.GetProperty("effect").GetString()); // no CIDR rule: the name decided it
        Assert.Equal("up2", explained.RootElement.GetProperty("decision").GetProperty("interface").GetString());
        using var byName = JsonDocument.Parse((await SteerCli("explain", "-c", Path.Combine(StateDir, "steer.yaml"), "www.example.test", "--json")).EnsureSuccess().Stdout);
        Assert.Equal("via", byName.RootElement.GetProperty("effect").GetString());
        Assert.True(byName.RootElement.GetProperty("interface").GetProperty("up").GetBoolean());
    }

    [Fact]
    public async Task A_CNAME_chain_is_decided_by_a_rule_on_its_target_too()
    {
        TwoUplinks.SkipUnlessSupported();
        await Start("  - { domain: cdn.test, via: up2 }");
        var (up1, up2) = CountQueries();
        Assert.Contains("10.9.0.1", await Dig("alias.other.test", "A"), StringComparison.Ordinal);
        Assert.Equal(1, up1.Read()); // no rule for alias.other.test: the untagged upstream was asked
        Assert.Equal(0, up2.Read());
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1")); // edge.cdn.test's rule decided
    }

    [Fact]
    public async Task An_exact_name_rule_covers_that_name_and_not_its_subdomains()
    {
        TwoUplinks.SkipUnlessSupported();
        await Start("  - { name: exact.example.test, via: up2 }");
        var (up1, up2) = CountQueries();

        Assert.Equal("10.9.0.1", await Dig("www.exact.example.test", "A"));
        Assert.Equal((1L, 0L), (up1.Read(), up2.Read()));
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1"));

        Assert.Equal("10.9.0.1", await Dig("exact.example.test", "A"));
        Assert.Equal((1L, 1L), (up1.Read(), up2.Read()));
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
    }

    [Fact]
    public async Task A_decision_expires_after_the_answers_TTL_plus_the_grace_period()
    {
        TwoUplinks.SkipUnlessSupported();
        await Start("  - { domain: example.test, via: up2 }", grace: 1);
        var answered = Stopwatch.StartNew();
        Assert.Contains("10.9.0.1", await Dig("www.example.test", "A"), StringComparison.Ordinal);
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));

        // TTL 1 s + grace 1 s: gone from the kernel (the programs ignore it, the sweep removes it).
        while ((await SteerCli("decision")).Stdout.Contains("10.9.0.1", StringComparison.Ordinal))
        {
            Assert.True(answered.Elapsed < TimeSpan.FromSeconds(10), "the decision did not expire within 10 s");
            await Task.Delay(200);
        }
        Assert.True(answered.Elapsed >= TimeSpan.FromSeconds(1.9), $"expired after {answered.Elapsed}, before TTL + grace");
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1"));
        Assert.Equal(1, (await SteerCli("rdns", "10.9.0.1")).ExitCode); // the name is forgotten with it
    }

    [Fact]
    public async Task Rules_survive_stop_and_start()
    {
        TwoUplinks.SkipUnlessSupported();
        (await SteerCli("rule", "add", "10.9.0.0/24", "up2")).EnsureSuccess();
        (await SteerCli("rule", "add", "--exact", "exact.example.test", "up2")).EnsureSuccess();
        (await SteerCli("start", "--cgroup", CgroupName)).EnsureSuccess();
        (await SteerCli("stop")).EnsureSuccess();
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen("10.9.0.1")); // stopped: nothing enforced

        var listed = (await SteerCli("rule", "list")).EnsureSuccess().Stdout;
        Assert.Contains("10.9.0.0/24", listed, StringComparison.Ordinal);
        Assert.Contains("exact.example.test", listed, StringComparison.Ordinal);
        (await SteerCli("start", "--cgroup", CgroupName)).EnsureSuccess();
        Assert.Contains("\"rules\": 2", (await SteerCli("status", "--json")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen("10.9.0.1"));
    }

    [Fact]
    public async Task Taking_over_the_hosts_resolution_points_resolv_conf_at_steer_and_stop_restores_it_exactly()
    {
        TwoUplinks.SkipUnlessSupported();
        var resolvConf = Path.Combine(StateDir, "resolv.conf");
        const string original = "# written by hand\nnameserver 10.1.0.1\nsearch lab.test\noptions edns0\n";
        await File.WriteAllTextAsync(resolvConf, original);
        string[] env = [$"STEER_RESOLV_CONF={resolvConf}"];
        (await SteerCliWith(env, "rule", "add", "example.test", "up2")).EnsureSuccess();
        // No untagged --upstream: the host's resolv.conf servers as they were (10.1.0.1).
        (await SteerCliWith(env, "start", "--cgroup", CgroupName, "--dns-listen", "127.0.0.1:53", "--upstream", $"up2={Up2Resolver}", "--take-over-dns")).EnsureSuccess();

        var taken = await File.ReadAllTextAsync(resolvConf);
        Assert.Contains("nameserver 127.0.0.1", taken, StringComparison.Ordinal);
        Assert.DoesNotContain("nameserver 10.1.0.1", taken, StringComparison.Ordinal);
        var (up1, up2) = CountQueries();
        var answer = (await Host.ExecAsync("dig", "@127.0.0.1", "+short", "+tries=1", "+time=3", "www.example.test", "A")).EnsureSuccess().Stdout;
        Assert.Contains("10.9.0.1", answer, StringComparison.Ordinal);
        Assert.Equal((0L, 1L), (up1.Read(), up2.Read()));

        (await SteerCliWith(env, "stop")).EnsureSuccess();
        Assert.Equal(original, await File.ReadAllTextAsync(resolvConf));
    }
}
