using System.Net;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.LabTests;

/// <summary>A router host forwards between its links; sysctls land in the host's namespace only.</summary>
public sealed class RouterTests
{
    [Fact]
    public async Task Router_forwards_IPv4_and_IPv6_between_its_links()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var router = t.Router("router");
            var server = t.Host("server");
            t.Link(client, "eth0", router, "r0", "10.3.0.2/24", "10.3.0.1/24", "fd00:3::2/64", "fd00:3::1/64");
            t.Link(router, "r1", server, "eth0", "10.4.0.1/24", "10.4.0.2/24", "fd00:4::1/64", "fd00:4::2/64");
            client.Route("default via 10.3.0.1").Route("default via fd00:3::1");
            server.Route("default via 10.4.0.1").Route("default via fd00:4::1");
        });
        lab["server"].Echo(7200);

        Assert.Equal("1", lab["router"].Exec("cat", "/proc/sys/net/ipv4/ip_forward").EnsureSuccess().Stdout.Trim());
        Assert.Equal("0", lab["client"].Exec("cat", "/proc/sys/net/ipv4/ip_forward").EnsureSuccess().Stdout.Trim());
        var v4 = EchoReply.Parse((await lab["client"].ExecAsync(Clients.TcpCommand("10.4.0.2", 7200))).EnsureSuccess().Stdout);
        var v6 = EchoReply.Parse((await lab["client"].ExecAsync(Clients.TcpCommand("fd00:4::2", 7200))).EnsureSuccess().Stdout);
        Assert.Equal(IPAddress.Parse("10.3.0.2"), v4.Address);
        Assert.Equal(IPAddress.Parse("fd00:3::2"), v6.Address);
    }
}
