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
}
