using System.Net;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>The records print in <c>ip</c> syntax and compare by value.</summary>
public sealed class RecordFormattingTests
{
    [Fact]
    public void Link_prints_like_ip_link()
    {
        Assert.Equal("3: veth0: <UP,LOWER_UP> mtu 1500 link/ether type veth", new Link(3, "veth0", true, true, 1500, "veth", 1).ToString());
        Assert.Equal("1: lo: <> mtu 65536 link/loopback", new Link(1, "lo", false, false, 65536, null, 772).ToString());
        Assert.Equal("7: x: <UP> mtu 9000 link/[999]", new Link(7, "x", true, false, 9000, null, 999).ToString());
    }

    [Fact]
    public void InterfaceAddress_prints_like_ip_addr()
    {
        var v4 = new InterfaceAddress(3, IPAddress.Parse("10.0.0.1"), 24, 0, AddressFlags.Permanent, "veth0");
        var v6 = new InterfaceAddress(3, IPAddress.Parse("fe80::1"), 64, 253, AddressFlags.Permanent | AddressFlags.NoDad, null);
        var tentative = new InterfaceAddress(3, IPAddress.Parse("fd00::1"), 64, 0, AddressFlags.Tentative, null);

        Assert.Equal("3: inet 10.0.0.1/24 scope global veth0", v4.ToString());
        Assert.Equal("3: inet6 fe80::1/64 scope link nodad", v6.ToString());
        Assert.Equal("3: inet6 fd00::1/64 scope global tentative dynamic", tentative.ToString());
        Assert.True(tentative.IsTentative);
    }

    [Fact]
    public void Records_compare_by_value()
    {
        Assert.Equal(new InterfaceAddress(1, IPAddress.Parse("10.0.0.1"), 8, 0, 0, null),
            new InterfaceAddress(1, IPAddress.Parse("10.0.0.1"), 8, 0, 0, null));
        Assert.NotEqual(new Link(1, "a", true, true, 1500, null, 1), new Link(1, "a", true, false, 1500, null, 1));
    }

    [Fact]
    public void Route_prints_like_ip_route()
    {
        Assert.Equal("10.0.0.0/8 via 192.0.2.1 dev if3 table 100000 proto 250 src 192.0.2.9 metric 5 onlink",
            RoutingSamples.Routes[0].ToString());
        Assert.Equal("default via fe80::1 dev if2 metric 1024", RoutingSamples.Routes[1].ToString());
        Assert.Equal("default via inet6 fe80::1 dev if2", RoutingSamples.Routes[2].ToString());
        Assert.Equal("local default dev if1 table 7", RoutingSamples.Routes[3].ToString());
        Assert.Equal("unreachable 10.2.0.0/16 table 1000",
            new Route { Destination = IPNetwork.Parse("10.2.0.0/16"), Type = RouteType.Unreachable, Table = 1000 }.ToString());
        Assert.Equal("local 127.0.0.1 dev if1 table local proto kernel scope host src 127.0.0.1",
            new Route
            {
                Destination = IPNetwork.Parse("127.0.0.1/32"), Type = RouteType.Local, OutputInterface = 1, Table = RouteTable.Local,
                Protocol = RouteProtocol.Kernel, Scope = RouteScope.Host, PreferredSource = IPAddress.Loopback,
            }.ToString());
    }

    [Fact]
    public void Rule_prints_like_ip_rule()
    {
        // The first line is what iproute2 6.1 printed for the same rule.
        Assert.Equal("100:\tnot from 10.0.0.0/8 to 192.168.0.0/16 fwmark 0x1/0x3 iif lo oif eth0 ipproto tcp sport 1000-2000 dport 80 lookup 100000 suppress_prefixlength 0 proto 250",
            RoutingSamples.Rules[0].ToString());
        Assert.Equal("5:\tfrom fd00::/8 blackhole", RoutingSamples.Rules[1].ToString());
        Assert.Equal("from all goto 200", RoutingSamples.Rules[2].ToString());
        Assert.Equal("32766:\tfrom all lookup main",
            new Rule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 32766, Table = RouteTable.Main, Protocol = RouteProtocol.Kernel }.ToString());
        Assert.Equal("1:\tfrom all fwmark 0x10 lookup 7 proto static",
            new Rule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 1, FwMark = 16, Table = 7, Protocol = RouteProtocol.Static }.ToString());
    }

    [Fact]
    public void Routes_and_rules_compare_by_value()
    {
        Assert.Equal(RoutingSamples.Routes[0], RoutingSamples.Routes[0] with { });
        Assert.NotEqual(RoutingSamples.Routes[0], RoutingSamples.Routes[0] with { Protocol = RouteProtocol.Boot });
        Assert.Equal(RoutingSamples.Rules[0], RoutingSamples.Rules[0] with { Source = IPNetwork.Parse("10.0.0.0/8") });
        Assert.NotEqual(RoutingSamples.Rules[0], RoutingSamples.Rules[0] with { FwMask = null });
    }
}
