using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <summary>`steer run --via` picks the uplink for every kind of socket, whatever the main table says.</summary>
public sealed class SelectionTests(RunLabFixture fixture) : IClassFixture<RunLabFixture>
{
    public static TheoryData<string, bool, string> Cases()
    {
        var data = new TheoryData<string, bool, string>();
        foreach (var kind in new[] { "tcp", "udp-connected", "udp-unconnected", "http" })
            foreach (var ipv6 in new[] { false, true })
                foreach (var via in new[] { "up1", "up2" })
                    data.Add(kind, ipv6, via);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_socket_kind_leaves_through_the_chosen_uplink(string kind, bool ipv6, string via)
    {
        TwoUplinks.SkipUnlessSupported();
        var ip = ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4;
        var result = (await fixture.Lab!["host"].ExecAsync(SteerBinary.Run(via, Client(kind, ip, RunLabFixture.Port)))).EnsureSuccess();

        Assert.Equal(IPAddress.Parse(TwoUplinks.SourceVia(via, ipv6)), EchoReply.Parse(result.Stdout).Address);
    }

    [Fact]
    public async Task The_very_first_unconnected_datagram_leaves_through_the_chosen_uplink()
    {
        TwoUplinks.SkipUnlessSupported();
        var lab = fixture.Lab!;
        var port = 7100;
        using var echo = lab["server"].Echo(port);
        var wrongWay = lab["host"].CountPackets($"oifname \"up1\" ip daddr {TwoUplinks.Service4} udp dport {port}");

        // One datagram, one socket: the server must see exactly it, from up2, and up1 nothing.
        (await lab["host"].ExecAsync(SteerBinary.Run("up2", Clients.UdpUnconnectedCommand(TwoUplinks.Service4, port)))).EnsureSuccess();

        var peer = await echo.WaitForPeerAsync(p => p.Protocol == EchoProtocol.Udp, TimeSpan.FromSeconds(2));
        Assert.Equal(IPAddress.Parse("10.2.0.2"), peer.Remote.Address);
        Assert.Single(echo.Peers);
        Assert.Equal(0, wrongWay.Read());
    }

    [Fact]
    public async Task A_statically_linked_program_is_steered_too()
    {
        TwoUplinks.SkipUnlessSupported();
        var lab = fixture.Lab!;
        var port = 7101;
        using var echo = lab["server"].Echo(port);
        // hey is a statically linked Go binary: no libc, no LD_PRELOAD could reach it.
        (await lab["host"].ExecAsync(SteerBinary.Run("up2", "hey", "-n", "5", "-c", "1", $"http://{TwoUplinks.Service4}:{port}/"))).EnsureSuccess();

        Assert.NotEmpty(echo.Peers);
        Assert.All(echo.Peers, p => Assert.Equal(IPAddress.Parse("10.2.0.2"), p.Remote.Address));
    }

    [Fact]
    public async Task Children_of_the_program_are_steered()
    {
        TwoUplinks.SkipUnlessSupported();
        var client = string.Join(' ', Clients.TcpCommand(TwoUplinks.Service4, RunLabFixture.Port).Select(a => $"'{a}'"));
        var result = (await fixture.Lab!["host"].ExecAsync(SteerBinary.Run("up2", "bash", "-c", $"( {client} ) & wait"))).EnsureSuccess();

        Assert.Equal(IPAddress.Parse("10.2.0.2"), EchoReply.Parse(result.Stdout).Address);
    }

    internal static string[] Client(string kind, string ip, int port) => kind switch
    {
        "tcp" => Clients.TcpCommand(ip, port),
        "udp-connected" => Clients.UdpConnectedCommand(ip, port),
        "udp-unconnected" => Clients.UdpUnconnectedCommand(ip, port),
        _ => Clients.HttpCommand(ip, port),
    };
}
