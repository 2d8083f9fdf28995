using System.Net;
using Steer.Linux.Native;
using Steer.Linux.Netlink;

namespace Steer.Linux.Tests.Netlink;

/// <summary>
/// Two throw-away namespaces joined by a veth pair built with the product's own verbs:
/// A's <c>a0</c> (10.61.0.1/24, fd61::1/64) faces B's <c>b0</c> (10.61.0.2/24, fd61::2/64), all up.
/// B also holds 10.62.0.1 and fd62::1 on its loopback: a destination A reaches only through
/// routes the test adds. Both namespaces are deleted on Dispose, and when building fails.
/// </summary>
internal sealed class TwoHosts : IDisposable
{
    public static readonly IPAddress A4 = IPAddress.Parse("10.61.0.1"), B4 = IPAddress.Parse("10.61.0.2");
    public static readonly IPAddress A6 = IPAddress.Parse("fd61::1"), B6 = IPAddress.Parse("fd61::2");
    public static readonly IPAddress Far4 = IPAddress.Parse("10.62.0.1"), Far6 = IPAddress.Parse("fd62::1");
    public static readonly IPNetwork FarNet4 = IPNetwork.Parse("10.62.0.0/24"), FarNet6 = IPNetwork.Parse("fd62::/64");

    public TestNamespace A { get; }
    public TestNamespace B { get; }
    public NetlinkHandle NetA { get; }
    public NetlinkHandle NetB { get; }

    /// <summary>ifindex of a0 in A.</summary>
    public int A0 { get; }

    private TwoHosts(TestNamespace a, TestNamespace b)
    {
        (A, B) = (a, b);
        NetA = NetlinkHandle.OpenAt(a.Path);
        NetB = NetlinkHandle.OpenAt(b.Path);
        using (var bNamespace = NetNamespace.Open(b.Path))
            NetA.CreateVethPair("a0", "b0", bNamespace);
        NetA.SetLinkUp("lo");
        NetB.SetLinkUp("lo");
        NetA.AddAddress("a0", A4, 24);
        NetA.AddAddress("a0", A6, 64, AddressFlags.NoDad);
        NetB.AddAddress("b0", B4, 24);
        NetB.AddAddress("b0", B6, 64, AddressFlags.NoDad);
        NetB.AddAddress("lo", Far4, 32);
        NetB.AddAddress("lo", Far6, 128, AddressFlags.NoDad);
        NetA.SetLinkUp("a0");
        NetB.SetLinkUp("b0");
        A0 = NetA.GetLink("a0")!.Index;
    }

    public static TwoHosts Create()
    {
        var a = TestNamespace.Create();
        TestNamespace? b = null;
        try
        {
            b = TestNamespace.Create();
            return new TwoHosts(a, b);
        }
        catch
        {
            b?.Dispose();
            a.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        NetA.Dispose();
        NetB.Dispose();
        A.Dispose();
        B.Dispose();
    }
}
