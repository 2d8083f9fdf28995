using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

public sealed class ExclusionAndDnsTests(RunLabFixture fixture) : IClassFixture<RunLabFixture>
{
    [Theory]
    [InlineData("10.9.0.0/24", false, "up1")]      // excluded: the main table's up1
    [InlineData("10.9.1.0/24", false, "up2")]      // the neighbouring /24 covers nothing here
    [InlineData("10.9.0.1", false, "up1")]         // a bare address is a /32
    [InlineData("fd00:9::/64", true, "up1")]
    [InlineData("fd00:9:0:1::/64", true, "up2")]
    [InlineData("::/0", false, "up2")]             // all of IPv6 does not exclude IPv4
    public async Task Excluded_destinations_follow_the_routing_table(string exclude, bool ipv6, string expected)
    {
        TwoUplinks.SkipUnlessSupported();
        var ip = ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4;
        var result = (await fixture.Lab!["host"].ExecAsync(
            SteerBinary.RunWith(["--via", "up2", "--exclude", exclude], Clients.TcpCommand(ip, RunLabFixture.Port)))).EnsureSuccess();

        Assert.Equal(IPAddress.Parse(TwoUplinks.SourceVia(expected, ipv6)), EchoReply.Parse(result.Stdout).Address);
    }

    [Fact]
    public async Task Loopback_stays_reachable_for_root_and_unprivileged_programs()
    {
        TwoUplinks.SkipUnlessSupported();
        var host = fixture.Lab!["host"];
        using var local = host.Echo(7200);
        foreach (var prefix in new[] { Array.Empty<string>(), ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] })
        {
            var result = (await host.ExecAsync(SteerBinary.Run("up2", [.. prefix, .. Clients.TcpCommand("127.0.0.1", 7200)]))).EnsureSuccess();
            Assert.Equal(IPAddress.Loopback, EchoReply.Parse(result.Stdout).Address);
            result = (await host.ExecAsync(SteerBinary.Run("up2", [.. prefix, .. Clients.UdpConnectedCommand("127.0.0.1", 7200)]))).EnsureSuccess();
            Assert.Equal(IPAddress.Loopback, EchoReply.Parse(result.Stdout).Address);
        }
    }

    [Fact]
    public async Task An_invalid_exclusion_is_refused_before_the_command_runs()
    {
        TwoUplinks.SkipUnlessSupported();
        var result = await fixture.Lab!["host"].ExecAsync(SteerBinary.RunWith(["--via", "up2", "--exclude", "192.168.1"], "touch", "/tmp/steer-should-not-run"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("192.168.1", result.Stderr);
        Assert.False(File.Exists("/tmp/steer-should-not-run"));
    }

    [Theory]
    [InlineData("udp-connected", false)]
    [InlineData("udp-unconnected", false)]
    [InlineData("tcp", false)]
    [InlineData("udp-connected", true)]
    [InlineData("tcp", true)]
    public async Task Dns_queries_go_to_the_given_resolver_through_the_uplink(string kind, bool ipv6)
    {
        TwoUplinks.SkipUnlessSupported();
        // 10.77.0.53 exists nowhere: only the redirect can make the query reach the lab's resolver.
        var target = ipv6 ? "fd00:77::53" : "10.77.0.53";
        var result = (await fixture.Lab!["host"].ExecAsync(
            SteerBinary.RunWith(["--via", "up2", "--dns", TwoUplinks.Service4], SelectionTests.Client(kind, target, 53)))).EnsureSuccess();

        var seen = EchoReply.Parse(result.Stdout);
        Assert.Equal(IPAddress.Parse("10.2.0.2"), seen.Address.IsIPv4MappedToIPv6 ? seen.Address.MapToIPv4() : seen.Address);
        Assert.Contains(fixture.Dns!.Peers, p => p.Local.Port == 53);
    }

    [Fact]
    public async Task An_unconnected_ipv6_query_to_an_ipv4_resolver_is_refused_not_leaked()
    {
        TwoUplinks.SkipUnlessSupported();
        // The kernel refuses a sendmsg6 hook's rewrite to a v4-mapped address (ENOTSUPP): the query
        // fails instead of going to the server the program named.
        var host = fixture.Lab!["host"];
        var leaks = host.CountPackets("ip6 daddr fd00:77::53");
        var result = await host.ExecAsync(
            SteerBinary.RunWith(["--via", "up2", "--dns", TwoUplinks.Service4], Clients.UdpUnconnectedCommand("fd00:77::53", 53)));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(0, leaks.Read());
    }
}
