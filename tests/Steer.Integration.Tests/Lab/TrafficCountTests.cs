using System.Net;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.LabTests;

/// <summary>The counting helpers see exactly the traffic a test sends: nft counters per uplink,
/// interface counters, and the TUN reader.</summary>
public sealed class TrafficCountTests
{
    [Fact]
    public async Task Nft_counter_counts_only_traffic_leaving_through_its_interface()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await TwoUplinks.BuildAsync();
        lab["server"].Echo(7100);
        var host = lab["host"];
        var viaUp2 = host.CountPackets($"oifname \"up2\" ip daddr {TwoUplinks.Service4}");
        var viaUp1 = host.CountPackets($"oifname \"up1\" ip daddr {TwoUplinks.Service4}");
        var arrivedUp2 = lab["server"].CountPackets($"iifname \"s2\" ip daddr {TwoUplinks.Service4}");
        var before = host.Counters("up2");
        Assert.Equal(0, viaUp2.Read());

        (await host.ExecAsync(Clients.TcpCommand(TwoUplinks.Service4, 7100, "up2"))).EnsureSuccess();

        Assert.InRange(viaUp2.Read(), 3, 20); // SYN, ACK, FIN, ... of one connection
        Assert.Equal(0, viaUp1.Read());
        Assert.Equal(viaUp2.Read(), arrivedUp2.Read());
        Assert.True(host.Counters("up2").Since(before).TxPackets >= viaUp2.Read());
    }

    [Fact]
    public async Task Tun_counts_packets_routed_into_it()
    {
        TwoUplinks.SkipUnlessSupported();
        TunDevice? tun = null;
        await using var lab = await TwoUplinks.BuildAsync(t =>
        {
            var host = t.Host("tunhost");
            tun = host.Tun("tun0", "10.200.0.1/24", "fd00:200::1/64");
            host.Route("10.201.0.0/24 dev tun0").Route("fd00:201::/64 dev tun0");
        });
        var tunHost = lab["tunhost"];
        var before = tunHost.Counters("tun0");

        (await tunHost.ExecAsync(Clients.UdpUnconnectedCommand("10.201.0.5", 9))).EnsureSuccess();
        (await tunHost.ExecAsync(Clients.UdpConnectedCommand("fd00:201::5", 9))).EnsureSuccess();

        var v4 = await tun!.WaitForPacketsAsync(1, TimeSpan.FromSeconds(2), p => p.Destination.Equals(IPAddress.Parse("10.201.0.5")));
        var v6 = await tun.WaitForPacketsAsync(1, TimeSpan.FromSeconds(2), p => p.Destination.Equals(IPAddress.Parse("fd00:201::5")));
        Assert.Equal((TunPacket.Udp, 9), (v4[0].Protocol, v4[0].DestinationPort));
        Assert.Equal(IPAddress.Parse("10.200.0.1"), v4[0].Source);
        Assert.Equal(IPAddress.Parse("fd00:200::1"), v6[0].Source);
        Assert.True(tunHost.Counters("tun0").Since(before).TxPackets >= 2);
        Assert.True(tun.PacketCount >= 2);
    }
}
