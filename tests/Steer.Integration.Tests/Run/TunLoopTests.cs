using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <summary>
/// A proxy whose TUN is the default route loops its own egress unless its sockets are bound to an
/// interface: binding to an address does not help. Here the host's default route is tun0.
/// </summary>
public sealed class TunLoopTests
{
    [Fact]
    public async Task Only_interface_bound_sockets_bypass_a_tun_default_route()
    {
        TwoUplinks.SkipUnlessSupported();
        TunDevice? tun = null;
        await using var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var host = t.Host("host");
            var server = t.Host("server");
            t.Link(host.End("up1", "10.1.0.2/24"), server.End("s1", "10.1.0.1/24"));
            server.Loopback("10.9.0.1/32");
            tun = host.Tun("tun0", "10.200.0.1/24");
            host.Route("default dev tun0").Route("default via 10.1.0.1 table 101").Rule("oif up1 lookup 101");
        });
        using var echo = lab["server"].Echo(7000);
        var host = lab["host"];

        // Unbound, then bound to up1's address: both enter the TUN (and never get an answer).
        await host.ExecAsync(Clients.UdpUnconnectedCommand("10.9.0.1", 7000));
        await host.ExecAsync("socat", "-t", "0.5", "OPEN:/dev/zero,readbytes=4!!STDOUT", "UDP4-SENDTO:10.9.0.1:7000,bind=10.1.0.2");
        var entered = await tun!.WaitForPacketsAsync(2, TimeSpan.FromSeconds(3), p => p.DestinationPort == 7000);
        Assert.Equal(2, entered.Count);

        long before = tun.Packets.Count(p => p.DestinationPort == 7000);
        var result = (await host.ExecAsync(SteerBinary.Run("up1", Clients.UdpUnconnectedCommand("10.9.0.1", 7000)))).EnsureSuccess();
        Assert.Equal(IPAddress.Parse("10.1.0.2"), EchoReply.Parse(result.Stdout).Address);
        (await host.ExecAsync(SteerBinary.Run("up1", Clients.TcpCommand("10.9.0.1", 7000)))).EnsureSuccess();
        await Task.Delay(100);
        Assert.Equal(before, tun.Packets.Count(p => p.DestinationPort == 7000));
    }
}
