using System.Net;
using System.Net.Sockets;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary><c>ip route get</c> with from/mark/oif selectors: the kernel's answer names the table
/// the route came from, so a caller can tell which rule sent it there.</summary>
public sealed class RouteQueryKernelTests
{
    [Fact]
    public void A_lookup_with_a_mark_or_a_source_reports_the_table_its_rule_chose()
    {
        using var hosts = TwoHosts.Create();
        foreach (var (route, table) in new[] { (TwoHosts.FarNet4, 2100u), (TwoHosts.FarNet6, 2100u) })
            hosts.NetA.AddRoute(new Route { Destination = route, Gateway = route.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? TwoHosts.B4 : TwoHosts.B6, OutputInterface = hosts.A0, Table = table });
        hosts.NetA.AddRule(new Rule { Family = AddressFamily.InterNetwork, Priority = 900, FwMark = 0x10000, FwMask = 0xff0000, Table = 2100 });
        hosts.NetA.AddRule(new Rule { Family = AddressFamily.InterNetworkV6, Priority = 901, Source = IPNetwork.Parse("fd61::1/128"), Table = 2100 });

        var byMark = hosts.NetA.LookupRoute(new RouteQuery(TwoHosts.Far4) { Mark = 0x10000 });
        Assert.Equal(2100u, byMark.Table);
        Assert.Equal(TwoHosts.B4, byMark.Gateway);
        var bySource = hosts.NetA.LookupRoute(new RouteQuery(TwoHosts.Far6) { Source = TwoHosts.A6 });
        Assert.Equal(2100u, bySource.Table);
        var bound = hosts.NetA.LookupRoute(new RouteQuery(TwoHosts.B4) { OutputInterface = hosts.A0 });
        Assert.Equal(RouteTable.Main, bound.Table);

        var none = Assert.Throws<NetlinkException>(() => hosts.NetA.LookupRoute(new RouteQuery(TwoHosts.Far4)));
        Assert.Equal(Native.Errno.ENETUNREACH, none.Errno);
        Assert.Throws<ArgumentException>(() => hosts.NetA.LookupRoute(new RouteQuery(TwoHosts.Far4) { Source = TwoHosts.A6 }));
    }
}
