using Xunit;
using System.Net;
using Steer.Lab;

namespace Steer.Integration.Tests.LabTests;

/// <summary>One two-uplink lab for the class: the echo service answers every kind of client, and the
/// address it reports is the uplink the client's socket was bound to.</summary>
public sealed class EchoLabFixture : IAsyncLifetime
{
    public const int Port = 7000;
    public Steer.Lab.Lab? Lab { get; private set; }
    public EchoServer? Echo { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        Lab = await TwoUplinks.BuildAsync();
        Echo = Lab["server"].Echo(Port);
    }

    public async ValueTask DisposeAsync()
    {
        if (Lab is not null)
            await Lab.DisposeAsync();
    }
}

public sealed class EchoTests(EchoLabFixture fixture) : IClassFixture<EchoLabFixture>
{
    public static TheoryData<string, bool, string?> Cases()
    {
        var data = new TheoryData<string, bool, string?>();
        foreach (var kind in new[] { "tcp", "udp-connected", "udp-unconnected", "http" })
            foreach (var ipv6 in new[] { false, true })
                foreach (var device in new[] { null, "up1", "up2" })
                    data.Add(kind, ipv6, device);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reply_names_the_source_address_of_the_uplink_used(string kind, bool ipv6, string? device)
    {
        TwoUplinks.SkipUnlessSupported();
        var lab = fixture.Lab!;
        var ip = ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4;
        var argv = kind switch
        {
            "tcp" => Clients.TcpCommand(ip, EchoLabFixture.Port, device),
            "udp-connected" => Clients.UdpConnectedCommand(ip, EchoLabFixture.Port, device),
            "udp-unconnected" => Clients.UdpUnconnectedCommand(ip, EchoLabFixture.Port, device),
            _ => Clients.HttpCommand(ip, EchoLabFixture.Port, device),
        };

        var result = (await lab["host"].ExecAsync(argv)).EnsureSuccess();

        var seen = EchoReply.Parse(result.Stdout);
        Assert.Equal(IPAddress.Parse(TwoUplinks.SourceVia(device, ipv6)), seen.Address);
        // The server recorded the same client, on the service address.
        var peer = await fixture.Echo!.WaitForPeerAsync(p => p.Remote.Equals(seen), TimeSpan.FromSeconds(2));
        Assert.Equal(kind.StartsWith("udp", StringComparison.Ordinal) ? EchoProtocol.Udp : EchoProtocol.Tcp, peer.Protocol);
        Assert.Equal(IPAddress.Parse(ip), peer.Local.Address);
        Assert.Empty(fixture.Echo.Faults);
    }

    [Fact]
    public async Task Http_keep_alive_serves_several_requests_on_one_connection()
    {
        TwoUplinks.SkipUnlessSupported();
        var url = $"http://{TwoUplinks.Service4}:{EchoLabFixture.Port}/";
        var result = (await fixture.Lab!["host"].ExecAsync("curl", "-sS", "--noproxy", "*", "--max-time", "5", url, url, url)).EnsureSuccess();
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Single(lines.Distinct()); // same connection, same source port
    }
}
