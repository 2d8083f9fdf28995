using System.Net;
using Steer.Integration.Tests.Run;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// Rules with port and source conditions through the daemon: `steer start -c steer.yaml` with a
/// proxy: section sends a client's flows to one server out wan0 (10.20.0.1 at the server) or wan1
/// (10.30.0.1) by port and source; `steer apply` and `steer rule add --port` change that for new
/// flows; `steer stop` leaves nothing. Without a proxy: section the daemon and `steer rule add` say
/// such rules do nothing, in the words of the steer.yaml warning.
/// </summary>
public sealed class ConditionDaemonTests : IAsyncLifetime
{
    private const string Target = "10.99.0.1";
    private const string Client = "10.10.0.2", SecondClient = "10.10.0.3";
    private static readonly IPAddress Wan0 = IPAddress.Parse("10.20.0.1"), Wan1 = IPAddress.Parse("10.30.0.1");
    private const string ProxyMark = "0x53540001";
    private const string NoProxyWarning = "with port, protocol or source conditions apply to proxied flows only, and there is no proxy section";

    private const string Uplinks = """
        uplinks:
          - { interface: wan0, gateway: 10.20.0.2 }
          - { interface: wan1, gateway: 10.30.0.2 }

        """;

    private const string Proxy = """
        proxy:
          tproxy: { port: 7893, interfaces: [lan0] }

        """;

    private Steer.Lab.Lab? lab;
    private readonly DaemonSandbox sandbox = new("steer-cond");
    private string ConfigPath => Path.Combine(sandbox.StateDir, "steer.yaml");

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var gw = t.Router("gw");
            var server = t.Host("server");
            t.Link(client.End("c0", $"{Client}/24"), gw.End("lan0", "10.10.0.1/24"));
            t.Link(gw.End("wan0", "10.20.0.1/24"), server.End("s0", "10.20.0.2/24"));
            t.Link(gw.End("wan1", "10.30.0.1/24"), server.End("s1", "10.30.0.2/24"));
            server.Loopback($"{Target}/32");
            client.Route("default via 10.10.0.1");
            gw.Route("default via 10.20.0.2");
            server.Route("10.10.0.0/24 via 10.20.0.1");
        });
        // A second client address, so that one host can be two sources.
        lab["client"].Exec("ip", "addr", "add", $"{SecondClient}/24", "dev", "c0").EnsureSuccess();
        foreach (var port in new[] { 7000, 7001, 7002, 7003 })
            lab["server"].Echo(port);
        sandbox.Create();
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is null)
            return;
        await sandbox.RemoveAsync(lab["gw"]);
        await lab.DisposeAsync();
    }

    private Task<ExecResult> SteerCli(params string[] args) => sandbox.SteerAsync(lab!["gw"], [], args);

    private Task Config(string yaml) => File.WriteAllTextAsync(ConfigPath, yaml);

    private Task<ExecResult> Start() => SteerCli("start", "--cgroup", sandbox.CgroupName, "--config", ConfigPath);

    /// <summary>The source address the echo service saw for a TCP flow from <paramref name="from"/>
    /// to <paramref name="port"/>: which uplink the proxy sent it out of (or the client's own
    /// address when the gateway forwarded it).</summary>
    private async Task<IPAddress> SourceSeen(int port, string from = Client)
    {
        var result = await lab!["client"].ExecAsync("socat", "-t", "2", "-T", "10", "OPEN:/dev/null!!STDOUT", $"TCP4:{Target}:{port},bind={from}");
        if (!result.Succeeded)
        {
            var gw = lab["gw"];
            throw new InvalidOperationException(string.Join("\n", result, (await SteerCli("status")).Stdout, gw.Exec("nft", "list", "ruleset").Stdout,
                gw.Exec("ip", "rule").Stdout, gw.Exec("ip", "route", "show", "table", "all").Stdout));
        }
        return EchoReply.Parse(result.Stdout).Address;
    }

    [Fact]
    public async Task Port_and_source_rules_send_flows_out_different_uplinks_and_follow_apply_and_rule_add()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await Config(Uplinks + """
            rules:
              - { cidr: 10.99.0.1/32, port: 7001, via: wan1 }
              - { source: 10.10.0.3/32, via: wan1 }

            """ + Proxy);
        var started = (await Start()).EnsureSuccess();
        Assert.DoesNotContain("warning", started.Stderr, StringComparison.Ordinal);

        Assert.Equal(Wan0, await SourceSeen(7000));
        Assert.Equal(Wan1, await SourceSeen(7001));               // the port rule
        Assert.Equal(Wan1, await SourceSeen(7000, SecondClient)); // the source rule
        Assert.Equal(Wan0, await SourceSeen(7002));

        // apply: the port rule now covers 7002, not 7001; new flows follow.
        await Config(Uplinks + """
            rules:
              - { cidr: 10.99.0.1/32, port: 7002, via: wan1 }
              - { source: 10.10.0.3/32, via: wan1 }

            """ + Proxy);
        (await SteerCli("apply")).EnsureSuccess();
        Assert.Equal(Wan0, await SourceSeen(7001));
        Assert.Equal(Wan1, await SourceSeen(7002));
        Assert.Equal(Wan1, await SourceSeen(7000, SecondClient));

        // A rule of the state file, added at runtime, reaches the proxy too.
        Assert.Equal(Wan0, await SourceSeen(7003));
        var added = (await SteerCli("rule", "add", "10.99.0.1/32", "wan1", "--port", "7003")).EnsureSuccess();
        Assert.Contains("the daemon has it", added.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", added.Stderr, StringComparison.Ordinal);
        Assert.Equal(Wan1, await SourceSeen(7003));
        Assert.Equal(Wan0, await SourceSeen(7000));
        // ... and so does its removal.
        (await SteerCli("rule", "del", "10.99.0.1/32", "--port", "7003")).EnsureSuccess();
        Assert.Equal(Wan0, await SourceSeen(7003));

        (await SteerCli("stop")).EnsureSuccess();
        var gw = lab!["gw"];
        Assert.DoesNotContain("steer", gw.Exec("nft", "list", "tables").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(ProxyMark, gw.Exec("ip", "rule").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("wan1", gw.Exec("ip", "rule").Stdout, StringComparison.Ordinal); // the route plane's oif rule
        Assert.Equal(IPAddress.Parse(Client), await SourceSeen(7001)); // forwarded again
    }

    [Fact]
    public async Task Conditioned_rules_of_the_state_file_without_a_proxy_section_warn_at_rule_add_start_and_status()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await Config(Uplinks);
        // No daemon yet: the rule is stored with a note of what it needs; `steer start` warns.
        var stored = (await SteerCli("rule", "add", "10.99.0.1/32", "wan1", "--port", "7001")).EnsureSuccess();
        Assert.Contains("no daemon runs; a rule with port, protocol or source conditions applies to proxied flows only", stored.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("note", (await SteerCli("rule", "add", "10.97.0.0/16", "wan1")).EnsureSuccess().Stderr, StringComparison.Ordinal);

        var started = (await Start()).EnsureSuccess();
        Assert.Contains(NoProxyWarning, started.Stderr, StringComparison.Ordinal);
        Assert.Contains("cidr 10.99.0.1/32, port 7001 via wan1", started.Stderr, StringComparison.Ordinal);
        var status = (await SteerCli("status")).EnsureSuccess().Stdout;
        Assert.Contains(NoProxyWarning, status, StringComparison.Ordinal);
        Assert.Contains(NoProxyWarning, (await SteerCli("status", "--json")).EnsureSuccess().Stdout, StringComparison.Ordinal);

        var added = (await SteerCli("rule", "add", "*", "wan1", "--source", "10.10.0.3/32")).EnsureSuccess();
        Assert.Contains(NoProxyWarning, added.Stderr, StringComparison.Ordinal);
        Assert.Contains("and 1 more rule(s)", added.Stderr, StringComparison.Ordinal);
        // A plain rule says nothing of the kind.
        Assert.DoesNotContain("warning", (await SteerCli("rule", "add", "10.98.0.0/16", "wan1")).EnsureSuccess().Stderr, StringComparison.Ordinal);

        // With a proxy section the warning is gone, and the state file's rules are honoured.
        await Config(Uplinks + Proxy);
        (await SteerCli("apply")).EnsureSuccess();
        Assert.DoesNotContain("warning", (await SteerCli("status")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(Wan1, await SourceSeen(7001));
        Assert.Equal(Wan1, await SourceSeen(7000, SecondClient));
        Assert.Equal(Wan0, await SourceSeen(7000));
        (await SteerCli("stop")).EnsureSuccess();
    }
}
