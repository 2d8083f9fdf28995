using System.Net;
using Steer.Lab;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// Rules with port and source conditions in the proxy: a port rule and a source rule send flows
/// of one client to one server out different uplinks (wan0: 10.20.0.1, wan1: 10.30.0.1 at the
/// server), over TProxy (TCP and UDP) and SOCKS5.
/// </summary>
public sealed class ConditionTests
{
    private const int OtherPort = 7001;
    private const int RejectedPort = 7002;
    private const string SecondClient = "10.10.0.3";
    private const string Wan1 = "10.30.0.1";

    private const string Yaml = """
        rules:
          - { cidr: 10.99.0.1/32, port: 7001, via: wan1 }
          - { source: 10.10.0.3/32, via: wan1 }
          - { cidr: 10.99.0.1/32, port: 7002, protocol: udp, source: 10.10.0.3/32, action: reject }
        proxy:
          tproxy: { port: 7893, interfaces: [lan0] }
          socks: { listen: "10.10.0.1:1080" }
        """;

    private static async Task<ProxyLab> StartAsync()
    {
        var lab = await ProxyLab.BuildAsync(secondUplink: true);
        lab.Server.Echo(OtherPort);
        lab.Server.Echo(RejectedPort);
        // A second client address, so that one host can be two sources.
        lab.Client.Exec("ip", "addr", "add", $"{SecondClient}/24", "dev", "c0").EnsureSuccess();
        lab.Start(Yaml);
        return lab;
    }

    private static string[] Tcp(int port, string from) =>
        ["socat", "-t", "2", "-T", "10", "OPEN:/dev/null!!STDOUT", $"TCP4:{ProxyLab.Target4}:{port},bind={from}"];

    private static string[] Udp(int port, string from) =>
        ["socat", "-t", "0.5", "-T", "10", "OPEN:/dev/zero,readbytes=4!!STDOUT", $"UDP4:{ProxyLab.Target4}:{port},bind={from}"];

    [Fact]
    public async Task A_port_rule_and_a_source_rule_send_tcp_flows_out_different_interfaces()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await StartAsync();

        var plain = await lab.Client.ExecAsync(Tcp(ProxyLab.EchoPort, "10.10.0.2"));
        var byPort = await lab.Client.ExecAsync(Tcp(OtherPort, "10.10.0.2"));
        var bySource = await lab.Client.ExecAsync(Tcp(ProxyLab.EchoPort, SecondClient));

        Assert.True(plain.ExitCode == 0 && byPort.ExitCode == 0 && bySource.ExitCode == 0, $"{plain}\n{byPort}\n{bySource}\n{lab.Log}");
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(plain.Stdout).Address);
        Assert.Equal(IPAddress.Parse(Wan1), EchoReply.Parse(byPort.Stdout).Address);
        Assert.Equal(IPAddress.Parse(Wan1), EchoReply.Parse(bySource.Stdout).Address);
    }

    [Fact]
    public async Task Udp_flows_meet_port_protocol_and_source_conditions()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await StartAsync();

        var plain = await lab.Client.ExecAsync(Udp(ProxyLab.EchoPort, "10.10.0.2"));
        var byPort = await lab.Client.ExecAsync(Udp(OtherPort, "10.10.0.2"));
        var bySource = await lab.Client.ExecAsync(Udp(ProxyLab.EchoPort, SecondClient));
        var rejected = await lab.Client.ExecAsync(Udp(RejectedPort, SecondClient));
        var notRejected = await lab.Client.ExecAsync(Udp(RejectedPort, "10.10.0.2"));

        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(plain.Stdout).Address);
        Assert.Equal(IPAddress.Parse(Wan1), EchoReply.Parse(byPort.Stdout).Address);
        Assert.Equal(IPAddress.Parse(Wan1), EchoReply.Parse(bySource.Stdout).Address);
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(notRejected.Stdout).Address);
        // The cidr level beats the any-destination source rule: port 7002, udp, from .3 is rejected there.
        Assert.DoesNotContain("SRC", rejected.Stdout, StringComparison.Ordinal);
        var rules = lab.Engine!.Flows().Select(f => f.Rule).ToList();
        Assert.Contains(rules, r => r?.StartsWith("prefix 10.99.0.1/32, port 7001 → via wan1", StringComparison.Ordinal) == true);
        Assert.Contains(rules, r => r?.StartsWith("any destination, source 10.10.0.3/32 → via wan1", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Socks5_flows_meet_port_conditions_too()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await StartAsync();

        var plain = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--socks5", "10.10.0.1:1080", $"http://{ProxyLab.Target4}:{ProxyLab.EchoPort}/");
        var byPort = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--socks5", "10.10.0.1:1080", $"http://{ProxyLab.Target4}:{OtherPort}/");

        Assert.True(plain.ExitCode == 0 && byPort.ExitCode == 0, $"{plain}\n{byPort}\n{lab.Log}");
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(plain.Stdout).Address);
        Assert.Equal(IPAddress.Parse(Wan1), EchoReply.Parse(byPort.Stdout).Address);
    }
}
