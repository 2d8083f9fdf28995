using System.Net;
using System.Text.Json;
using Steer.Integration.Tests.Run;
using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// `steer start` with a <c>proxy:</c> section in a gateway namespace: the daemon intercepts what
/// arrives on lan0, `steer conns` and `steer loops` answer, and `steer stop` leaves no nftables
/// table, rule or route of the proxy behind — the gateway forwards again.
/// </summary>
public sealed class ProxyDaemonTests : IAsyncLifetime
{
    private Steer.Lab.Lab? lab;
    private readonly DaemonSandbox sandbox = new("steer-e2e");
    private string ConfigPath => Path.Combine(sandbox.StateDir, "steer.yaml");
    private string CgroupName => sandbox.CgroupName;

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var gw = t.Router("gw");
            var server = t.Host("server");
            t.Link(client.End("c0", "10.10.0.2/24"), gw.End("lan0", "10.10.0.1/24"));
            t.Link(gw.End("wan0", "10.20.0.1/24"), server.End("s0", "10.20.0.2/24"));
            server.Loopback("10.99.0.1/32");
            client.Route("default via 10.10.0.1");
            gw.Route("default via 10.20.0.2");
            server.Route("10.10.0.0/24 via 10.20.0.1");
        });
        lab["server"].Echo(7000);
        sandbox.Create();
        await File.WriteAllTextAsync(ConfigPath, """
            uplinks:
              - { interface: wan0, gateway: 10.20.0.2 }
            rules:
              - { cidr: 10.99.0.2/32, action: reject }
            proxy:
              tproxy: { port: 7893, interfaces: [lan0] }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is null)
            return;
        await sandbox.RemoveAsync(lab["gw"]);
        await lab.DisposeAsync();
    }

    private Task<ExecResult> SteerCli(params string[] args) => sandbox.SteerAsync(lab!["gw"], [], args);

    private async Task<IPAddress> SourceSeen()
    {
        try
        {
            return EchoReply.Parse((await lab!["client"].ExecAsync(Clients.TcpCommand("10.99.0.1", 7000))).EnsureSuccess().Stdout).Address;
        }
        catch (Exception e) when (e is TimeoutException or LabException or FormatException)
        {
            var gw = lab!["gw"];
            throw new InvalidOperationException(string.Join("\n", e.Message, gw.Exec("nft", "list", "ruleset").Stdout, gw.Exec("ip", "rule").Stdout,
                gw.Exec("ip", "route", "show", "table", "all").Stdout, gw.Exec("ss", "-tanp").Stdout), e);
        }
    }

    [Fact]
    public async Task The_daemon_intercepts_beside_the_route_plane_reports_and_stop_removes_interception()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        (await SteerCli("start", "--cgroup", CgroupName, "--config", ConfigPath)).EnsureSuccess();
        var status = (await SteerCli("status", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("tproxy :7893 on lan0", status, StringComparison.Ordinal);
        // The route plane (wan0's table and oif rule) lives beside the proxy's fwmark rule and
        // does not take it for a foreign collision: apply goes through.
        (await SteerCli("apply")).EnsureSuccess();

        Assert.Equal(IPAddress.Parse("10.20.0.1"), await SourceSeen());
        var conns = (await SteerCli("conns", "--json")).EnsureSuccess().Stdout;
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(conns).RootElement.ValueKind);
        var loops = JsonDocument.Parse((await SteerCli("loops", "--json")).EnsureSuccess().Stdout).RootElement;
        Assert.Equal(0, loops.GetProperty("refused").GetInt64());
        Assert.Contains("no loop seen", (await SteerCli("loops")).EnsureSuccess().Stdout, StringComparison.Ordinal);

        (await SteerCli("stop")).EnsureSuccess();
        Assert.DoesNotContain("steer_proxy", lab!["gw"].Exec("nft", "list", "tables").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("0x53540001", lab["gw"].Exec("ip", "rule").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("0x53540001", lab["gw"].Exec("ip", "-6", "rule").Stdout, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("10.10.0.2"), await SourceSeen()); // forwarded again
    }

    [Fact]
    public async Task Apply_starts_the_proxy_when_its_section_is_added_and_stops_it_when_removed()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        const string withoutProxy = """
            uplinks:
              - { interface: wan0, gateway: 10.20.0.2 }
            """;
        var withProxy = await File.ReadAllTextAsync(ConfigPath);
        await File.WriteAllTextAsync(ConfigPath, withoutProxy);
        (await SteerCli("start", "--cgroup", CgroupName, "--config", ConfigPath)).EnsureSuccess();
        Assert.Equal(IPAddress.Parse("10.10.0.2"), await SourceSeen()); // forwarded: no proxy yet
        Assert.False((await SteerCli("conns")).Succeeded);

        await File.WriteAllTextAsync(ConfigPath, withProxy);
        (await SteerCli("apply")).EnsureSuccess();
        Assert.Contains("tproxy :7893 on lan0", (await SteerCli("status", "--json")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("10.20.0.1"), await SourceSeen()); // proxied, without a restart
        (await SteerCli("conns")).EnsureSuccess();

        await File.WriteAllTextAsync(ConfigPath, withoutProxy);
        (await SteerCli("apply")).EnsureSuccess();
        Assert.DoesNotContain("\"proxy\"", (await SteerCli("status", "--json")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("steer_proxy", lab!["gw"].Exec("nft", "list", "tables").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("0x53540001", lab["gw"].Exec("ip", "rule").Stdout, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("10.10.0.2"), await SourceSeen()); // forwarded again
        Assert.False((await SteerCli("conns")).Succeeded);

        // And back: a second plane from the factory, in the same daemon.
        await File.WriteAllTextAsync(ConfigPath, withProxy);
        (await SteerCli("apply")).EnsureSuccess();
        Assert.Equal(IPAddress.Parse("10.20.0.1"), await SourceSeen());
        (await SteerCli("stop")).EnsureSuccess();
        Assert.DoesNotContain("steer_proxy", lab["gw"].Exec("nft", "list", "tables").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socks_request_by_name_is_resolved_by_steers_resolver_which_decides_the_answer()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        // The only resolver that knows www.example.com: dnsmasq on the server, the upstream for wan0.
        lab!["server"].Start(["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
            "--listen-address=10.20.0.2", "--bind-interfaces", "--port=53", "--address=/example.com/10.99.0.1"]);
        await File.WriteAllTextAsync(ConfigPath, """
            uplinks:
              - { interface: wan0, gateway: 10.20.0.2 }
            dns:
              listen: "127.0.0.1:5354"
              upstreams:
                - 10.20.0.2
                - { address: 10.20.0.2, interface: wan0 }
            rules:
              - { domain: example.com, via: wan0 }
            proxy:
              socks: { listen: "10.10.0.1:1080" }
            """);
        (await SteerCli("start", "--cgroup", CgroupName, "--config", ConfigPath)).EnsureSuccess();

        var result = await lab["client"].ExecAsync("curl", "-sS", "--max-time", "5", "--socks5-hostname", "10.10.0.1:1080", "http://www.example.com:7000/");

        Assert.True(result.ExitCode == 0, result + (await SteerCli("status")).Stdout);
        Assert.Equal(IPAddress.Parse("10.20.0.1"), EchoReply.Parse(result.Stdout).Address);
        // Steer's resolver answered the proxy, and made the answer's decision on the way.
        var decisions = (await SteerCli("decision")).EnsureSuccess().Stdout;
        Assert.True(decisions.Contains("10.99.0.1", StringComparison.Ordinal) && decisions.Contains("wan0", StringComparison.Ordinal), decisions);
        (await SteerCli("stop")).EnsureSuccess();
    }
}
