using System.Net;
using Steer.Lab;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// Intercepted flows sent through a <c>socks5</c> outbound: the upstream is Steer's own SOCKS5
/// inbound (CONNECT and UDP ASSOCIATE) in a host behind the gateway's wan2, so the echo server
/// sees the upstream's address for a flow it relayed.
/// </summary>
public sealed class Socks5OutboundTests
{
    private const string Yaml = """
        rules:
          - { cidr: 10.99.0.1/32, outbound: up }
        proxy:
          tproxy: { port: 7893, interfaces: [lan0] }
          socks: { listen: "10.10.0.1:1080" }
          outbounds:
            - { name: up, type: socks5, server: "10.40.0.2:1080", via: wan2 }
        """;

    [Fact]
    public async Task Tcp_goes_through_the_upstream()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(upstream: true);
        lab.StartUpstream();
        lab.Start(Yaml);

        var result = await lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort));

        Assert.True(result.ExitCode == 0, result + lab.Log.ToString());
        Assert.Equal(IPAddress.Parse(ProxyLab.UpstreamAddress), EchoReply.Parse(result.Stdout).Address);
    }

    [Fact]
    public async Task Udp_goes_through_a_udp_association_whose_sockets_are_bound_to_the_outbound_interface()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(upstream: true);
        var upstream = lab.StartUpstream();
        var engine = lab.Start(Yaml);

        // A connected UDP socket takes replies only from the address it sent to: an answer proves
        // the upstream's reply was unwrapped and sent to the client from the original destination.
        var result = await lab.Client.ExecAsync(Clients.UdpConnectedCommand(ProxyLab.Target4, ProxyLab.EchoPort));

        Assert.True(result.ExitCode == 0, result + lab.Log.ToString());
        Assert.Equal(IPAddress.Parse(ProxyLab.UpstreamAddress), EchoReply.Parse(result.Stdout).Address);
        var flow = Assert.Single(engine.Flows());
        Assert.Equal(("udp", "relaying", "wan2"), (flow.Protocol, flow.State, flow.Interface));
        Assert.StartsWith("socks5 up", flow.Outbound);
        Assert.Equal(4, flow.BytesUp);
        Assert.True(flow.BytesDown > 0);
        // Both sockets of the association are bound to wan2: ss shows the device after the address.
        var control = lab.Gateway.Exec("ss", "-Htn", "dst", "10.40.0.2:1080");
        var relay = lab.Gateway.Exec("ss", "-Hun", "dst", "10.40.0.2");
        Assert.True(control.Stdout.Contains("10.40.0.1%wan2:", StringComparison.Ordinal), control.ToString());
        Assert.True(relay.Stdout.Contains("10.40.0.1%wan2:", StringComparison.Ordinal), relay.ToString());
        // The upstream holds one association, opened from the gateway's wan2 address.
        var association = Assert.Single(upstream.Flows());
        Assert.StartsWith("10.40.0.1:", association.Source);
        Assert.Equal("associated", association.State);
    }

    [Fact]
    public async Task Udp_session_ends_when_the_upstream_drops_the_association()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(upstream: true);
        lab.StartUpstream();
        var engine = lab.Start(Yaml);
        (await lab.Client.ExecAsync(Clients.UdpConnectedCommand(ProxyLab.Target4, ProxyLab.EchoPort))).EnsureSuccess();
        Assert.Single(engine.Flows());

        lab.StopUpstream(); // resets the control connection

        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (engine.Flows().Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Empty(engine.Flows());
        Assert.Equal(0, engine.Guard.LiveEgress);
        Assert.Equal(0, engine.Storm.LiveFlows);
    }

    [Fact]
    public async Task Udp_associate_on_the_socks_inbound_goes_through_the_upstreams_association()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(upstream: true);
        var upstream = lab.StartUpstream();
        var engine = lab.Start(Yaml);

        // The client's SOCKS datagram passes to the upstream's relay as it is, and the upstream's
        // reply (header: the echo server's address) comes back to the client as it is.
        var (from, payload) = lab.Client.Run(InboundTests.UdpAssociate);

        Assert.Equal(IPEndPoint.Parse($"{ProxyLab.Target4}:{ProxyLab.EchoPort}"), from);
        Assert.Equal(IPAddress.Parse(ProxyLab.UpstreamAddress), EchoReply.Parse(payload).Address);
        // The client has closed its control connection: the association with the upstream (bound
        // to wan2 as in the TProxy case: the same Socks5UdpAssociation) is closed with it.
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while ((upstream.Flows().Count > 0 || engine.Guard.LiveEgress > 0) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Empty(upstream.Flows());
        Assert.Equal(0, engine.Guard.LiveEgress);
        Assert.Equal(0, engine.Guard.Refused);
    }
}
