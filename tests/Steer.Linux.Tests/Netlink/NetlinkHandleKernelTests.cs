using Xunit;
using System.Net;
using Steer.Linux.Netlink;

namespace Steer.Linux.Tests.Netlink;

/// <summary>The verbs against the real kernel, in a fresh namespace holding a veth pair.</summary>
public sealed class NetlinkHandleKernelTests
{
    private static TestNamespace CreateWithVethPair()
    {
        var ns = TestNamespace.Create();
        try
        {
            ns.Ip("link", "set", "lo", "up");
            ns.Ip("link", "add", "va", "type", "veth", "peer", "name", "vb");
            ns.Ip("addr", "add", "10.77.0.1/24", "dev", "va");
            ns.Ip("addr", "add", "fd77::1/64", "dev", "va", "nodad");
            ns.Ip("link", "set", "va", "up");
            ns.Ip("link", "set", "vb", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    [Fact]
    public void ListLinks_sees_loopback_and_the_veth_pair()
    {
        using var ns = CreateWithVethPair();
        using var handle = NetlinkHandle.OpenAt(ns.Path);

        var links = handle.ListLinks();

        Assert.Equal(["lo", "va", "vb"], links.Select(l => l.Name).Order());
        var va = links.Single(l => l.Name == "va");
        Assert.Equal(ns.IndexOf("va"), va.Index);
        Assert.True(va.IsUp);
        Assert.True(va.HasCarrier);
        Assert.Equal("veth", va.Kind);
        Assert.Equal((ushort)1, va.Type);
        Assert.Equal(1500u, va.Mtu);
        var lo = links.Single(l => l.Name == "lo");
        Assert.Equal((ushort)772, lo.Type);
        Assert.Null(lo.Kind);
    }

    [Fact]
    public void GetLink_by_name_and_index_agree_and_missing_links_are_null()
    {
        using var ns = CreateWithVethPair();
        using var handle = NetlinkHandle.OpenAt(ns.Path);

        var byName = handle.GetLink("vb");
        Assert.NotNull(byName);
        Assert.Equal(ns.IndexOf("vb"), byName.Index);
        Assert.Equal(byName, handle.GetLink(byName.Index));

        Assert.Null(handle.GetLink("nope0"));
        Assert.Null(handle.GetLink(999_999));
        Assert.Null(handle.GetLink("a-name-longer-than-ifnamsiz"));
    }

    [Fact]
    public void GetLink_sees_carrier_follow_the_peer()
    {
        using var ns = CreateWithVethPair();
        using var handle = NetlinkHandle.OpenAt(ns.Path);

        ns.Ip("link", "set", "vb", "down");
        var va = handle.GetLink("va")!;
        var vb = handle.GetLink("vb")!;

        Assert.True(va.IsUp);
        Assert.False(va.HasCarrier);
        Assert.False(vb.IsUp);
    }

    [Fact]
    public void ListAddresses_sees_IPv4_and_IPv6_and_filters_by_link()
    {
        using var ns = CreateWithVethPair();
        using var handle = NetlinkHandle.OpenAt(ns.Path);
        int va = ns.IndexOf("va");

        var onVa = handle.ListAddresses(va);
        var all = handle.ListAddresses();

        Assert.All(onVa, a => Assert.Equal(va, a.InterfaceIndex));
        var v4 = Assert.Single(onVa, a => a.Address.Equals(IPAddress.Parse("10.77.0.1")));
        Assert.Equal(24, v4.PrefixLength);
        Assert.Equal("va", v4.Label);
        Assert.Equal((byte)0, v4.Scope);
        var v6 = Assert.Single(onVa, a => a.Address.Equals(IPAddress.Parse("fd77::1")));
        Assert.Equal(64, v6.PrefixLength);
        Assert.False(v6.IsTentative);
        Assert.True((v6.Flags & AddressFlags.NoDad) != 0);
        Assert.Contains(all, a => a.Address.Equals(IPAddress.Loopback) && a.PrefixLength == 8);
        Assert.Contains(all, a => a.Address.Equals(IPAddress.IPv6Loopback) && a.PrefixLength == 128);
        Assert.DoesNotContain(onVa, a => IPAddress.IsLoopback(a.Address));
    }

    [Fact]
    public void Open_in_the_current_namespace_lists_loopback()
    {
        // Reading needs no privilege, so this runs for everyone.
        using var handle = NetlinkHandle.Open();
        var lo = handle.GetLink("lo");
        Assert.NotNull(lo);
        Assert.Contains(lo, handle.ListLinks());
    }

    [Fact]
    public void A_disposed_handle_refuses_work()
    {
        var handle = NetlinkHandle.Open();
        handle.Dispose();
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => handle.ListLinks());
    }
}
