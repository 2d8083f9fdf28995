using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Link and address changes against the real kernel, across two namespaces.</summary>
public sealed class NetlinkLinkWriteKernelTests
{
    [Fact]
    public void A_veth_peer_created_in_another_namespace_is_there_and_carries_TCP()
    {
        using var hosts = TwoHosts.Create();

        Assert.Equal(["a0", "lo"], hosts.NetA.ListLinks().Select(l => l.Name).Order());
        Assert.Equal(["b0", "lo"], hosts.NetB.ListLinks().Select(l => l.Name).Order());
        var b0 = hosts.NetB.GetLink("b0")!;
        Assert.Equal("veth", b0.Kind);
        Assert.True(b0.IsRunning);
        Assert.Equal(hosts.B.IndexOf("b0"), b0.Index);

        using var listener = Traffic.Listen(hosts.B.Path);
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.B4));
        Assert.Equal(SocketError.Success, Traffic.Connect(hosts.A.Path, TwoHosts.B6));
    }

    [Fact]
    public void Addresses_added_on_a_veth_and_on_loopback_are_listed_then_deleted()
    {
        using var hosts = TwoHosts.Create();
        int lo = hosts.NetB.GetLink("lo")!.Index;

        var onLo = hosts.NetB.ListAddresses(lo);
        var far4 = Assert.Single(onLo, a => a.Address.Equals(TwoHosts.Far4));
        Assert.Equal(32, far4.PrefixLength);
        Assert.Equal(InterfaceAddress.ScopeName(0), InterfaceAddress.ScopeName(far4.Scope));
        var far6 = Assert.Single(onLo, a => a.Address.Equals(TwoHosts.Far6));
        Assert.True((far6.Flags & AddressFlags.NoDad) != 0);
        Assert.False(far6.IsTentative);
        Assert.Contains("inet 10.61.0.1/24", hosts.A.Ip("-o", "addr", "show", "dev", "a0"), StringComparison.Ordinal);

        hosts.NetB.DeleteAddress("lo", TwoHosts.Far4, 32);
        hosts.NetB.DeleteAddress(lo, TwoHosts.Far6, 128);

        Assert.DoesNotContain(hosts.NetB.ListAddresses(lo), a => a.Address.Equals(TwoHosts.Far4) || a.Address.Equals(TwoHosts.Far6));
    }

    [Fact]
    public void Loopback_IPv4_addresses_get_host_scope_as_ip_gives_them()
    {
        using var hosts = TwoHosts.Create();
        hosts.NetA.AddAddress("lo", IPAddress.Parse("127.0.0.2"), 8);

        var added = Assert.Single(hosts.NetA.ListAddresses(), a => a.Address.Equals(IPAddress.Parse("127.0.0.2")));
        Assert.Equal((byte)RouteScope.Host, added.Scope);
    }

    [Fact]
    public void Mtu_down_rename_and_delete_change_the_link()
    {
        using var hosts = TwoHosts.Create();

        hosts.NetA.SetLinkMtu("a0", 1400);
        Assert.Equal(1400u, hosts.NetA.GetLink(hosts.A0)!.Mtu);

        hosts.NetA.SetLinkDown(hosts.A0);
        Assert.False(hosts.NetA.GetLink(hosts.A0)!.IsUp);
        Assert.False(hosts.NetB.GetLink("b0")!.HasCarrier);

        hosts.NetA.RenameLink("a0", "uplink.7");
        Assert.Null(hosts.NetA.GetLink("a0"));
        Assert.Equal(hosts.A0, hosts.NetA.GetLink("uplink.7")!.Index);

        hosts.NetA.DeleteLink("uplink.7");
        Assert.Equal(["lo"], hosts.NetA.ListLinks().Select(l => l.Name));
        Assert.Null(hosts.NetB.GetLink("b0")); // the peer goes with it
    }

    [Fact]
    public void A_link_moved_into_another_namespace_leaves_this_one()
    {
        using var hosts = TwoHosts.Create();
        hosts.NetA.CreateVethPair("m0", "m1");
        Assert.NotNull(hosts.NetA.GetLink("m1"));

        using (var b = NetNamespace.Open(hosts.B.Path))
            hosts.NetA.MoveLinkToNamespace("m1", b);

        Assert.Null(hosts.NetA.GetLink("m1"));
        Assert.Equal("veth", hosts.NetB.GetLink("m1")!.Kind);
        Assert.False(hosts.NetA.GetLink("m0")!.HasCarrier);
    }

    [Fact]
    public void Refusals_carry_errno_the_request_and_the_kernels_reason()
    {
        using var hosts = TwoHosts.Create();

        var exists = Assert.Throws<NetlinkException>(() => hosts.NetA.CreateVethPair("a0", "zz"));
        Assert.Equal(Errno.EEXIST, exists.Errno);
        Assert.StartsWith("RTM_NEWLINK a0 type veth peer zz: ", exists.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<NetlinkException>(() => hosts.NetA.SetLinkUp("nope0"));
        Assert.Equal(Errno.ENODEV, missing.Errno);
        Assert.Contains("RTM_NEWLINK dev nope0 up", missing.Message, StringComparison.Ordinal);

        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() => hosts.NetA.DeleteLink(999_999)).Errno);
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() => hosts.NetA.AddAddress("nope0", TwoHosts.A4, 24)).Errno);

        Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkException>(() => hosts.NetA.RenameLink("a0", "lo")).Errno);

        var twice = Assert.Throws<NetlinkException>(() => hosts.NetA.AddAddress("a0", TwoHosts.A4, 24));
        Assert.Equal(Errno.EEXIST, twice.Errno);
        Assert.StartsWith("RTM_NEWADDR 10.61.0.1/24 dev a0", twice.Message, StringComparison.Ordinal);
        const int EADDRNOTAVAIL = 99;
        Assert.Equal(EADDRNOTAVAIL, Assert.Throws<NetlinkException>(() => hosts.NetA.DeleteAddress("a0", IPAddress.Parse("10.61.0.9"), 24)).Errno);

        Assert.Throws<ArgumentOutOfRangeException>(() => hosts.NetA.AddAddress("a0", TwoHosts.A4, 33));
        Assert.Throws<ArgumentException>(() => hosts.NetA.SetLinkUp("a-name-longer-than-ifnamsiz"));
        // Nothing refused changed anything.
        Assert.Equal(["a0", "lo"], hosts.NetA.ListLinks().Select(l => l.Name).Order());
    }
}
