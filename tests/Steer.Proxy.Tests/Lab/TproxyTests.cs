using System.Net;
using Steer.Lab;

namespace Steer.Proxy.Tests.Lab;

/// <summary>TProxy interception of TCP and UDP, IPv4 and IPv6, through the gateway of a lab.</summary>
public sealed class TproxyTests
{
    [Theory]
    [InlineData(ProxyLab.Target4, ProxyLab.GatewayWan4)]
    [InlineData(ProxyLab.Target6, ProxyLab.GatewayWan6)]
    public async Task Tcp_flow_is_intercepted_and_leaves_from_the_gateway(string target, string gatewayWan)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.Start(ProxyLab.BasicYaml);

        var result = await lab.Client.ExecAsync(Clients.TcpCommand(target, ProxyLab.EchoPort));

        Assert.True(result.ExitCode == 0, result.ToString() + lab.Log);
        Assert.Equal(IPAddress.Parse(gatewayWan), EchoReply.Parse(result.Stdout).Address);
        Assert.True(lab.Engine!.Guard.Refused == 0, lab.Log.ToString());
    }

    [Theory]
    [InlineData(ProxyLab.Target4, ProxyLab.GatewayWan4)]
    [InlineData(ProxyLab.Target6, ProxyLab.GatewayWan6)]
    public async Task Udp_datagrams_are_intercepted_and_replies_come_from_the_original_destination(string target, string gatewayWan)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.Start(ProxyLab.BasicYaml);

        // A connected UDP socket drops replies from any other source: an answer proves the reply
        // left the gateway from the original destination's address and port.
        var result = await lab.Client.ExecAsync(Clients.UdpConnectedCommand(target, ProxyLab.EchoPort));

        Assert.True(result.ExitCode == 0, result.ToString() + lab.Log);
        Assert.Equal(IPAddress.Parse(gatewayWan), EchoReply.Parse(result.Stdout).Address);
    }

    [Fact]
    public async Task Udp_sessions_expire_when_idle_and_release_their_sockets()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        var engine = lab.Start(ProxyLab.BasicYaml, new ProxyOptions { UdpIdleMs = 1000 });

        (await lab.Client.ExecAsync(Clients.UdpConnectedCommand(ProxyLab.Target4, ProxyLab.EchoPort))).EnsureSuccess();
        Assert.Equal(1, engine.Storm.LiveFlows);
        Assert.Equal(1, engine.Guard.LiveEgress);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (engine.Storm.LiveFlows > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        Assert.Equal(0, engine.Storm.LiveFlows);
        Assert.Equal(0, engine.Guard.LiveEgress);
    }

    [Fact]
    public async Task Conns_lists_a_live_flow_with_its_rule_and_interface()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        var engine = lab.Start(ProxyLab.BasicYaml);

        (await lab.Client.ExecAsync(Clients.UdpConnectedCommand(ProxyLab.Target4, ProxyLab.EchoPort))).EnsureSuccess();
        var flow = Assert.Single(engine.Flows());

        Assert.Equal("udp", flow.Protocol);
        Assert.Equal($"{ProxyLab.Target4}:{ProxyLab.EchoPort}", flow.Destination);
        Assert.Equal("default auto", flow.Rule);
        Assert.Equal("wan0", flow.Interface);
        Assert.StartsWith(ProxyLab.GatewayWan4 + ":", flow.EgressLocal);
        Assert.Equal(4, flow.BytesUp);
        Assert.True(flow.BytesDown > 0);
    }

    [Fact]
    public async Task Without_interception_the_gateway_forwards()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();

        var result = await lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort));

        Assert.Equal(IPAddress.Parse("10.10.0.2"), EchoReply.Parse(result.Stdout).Address);
    }
}
