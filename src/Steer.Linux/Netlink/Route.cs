using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>
/// A route as <c>ip route</c> shows it, IPv4 or IPv6 by <see cref="Destination"/>. Only data:
/// encoding lives in <see cref="RouteEncoder"/>, decoding in <see cref="RouteDecoder"/>. Records
/// from a dump carry every field the kernel reported; a record built to add or delete a route may
/// leave the optional ones unset, as the <c>ip</c> command line may.
/// </summary>
public sealed record Route
{
    /// <summary>The destination prefix; <c>0.0.0.0/0</c> or <c>::/0</c> is the default route.</summary>
    public required IPNetwork Destination { get; init; }

    /// <summary>The next hop (RTA_GATEWAY; an IPv6 gateway of an IPv4 route travels as RTA_VIA).</summary>
    public IPAddress? Gateway { get; init; }

    /// <summary>The ifindex of the output interface (RTA_OIF): <c>dev</c>.</summary>
    public int? OutputInterface { get; init; }

    /// <summary>The routing table id (RTA_TABLE, all 32 bits); <see cref="RouteTable.Main"/> by default.</summary>
    public uint Table { get; init; } = RouteTable.Main;

    /// <summary>RTA_PRIORITY, lower wins. Null: none given, and the kernel then uses 0 for IPv4 and
    /// 1024 for IPv6 — so a dumped IPv6 route always has one.</summary>
    public uint? Metric { get; init; }

    /// <summary>Null when adding picks what ip picks: host for local routes, link for broadcast,
    /// multicast, anycast and unicast without a gateway, universe otherwise; when deleting, any.</summary>
    public RouteScope? Scope { get; init; }

    public RouteType Type { get; init; } = RouteType.Unicast;

    /// <summary>The source address for locally originated packets (RTA_PREFSRC): <c>src</c>.</summary>
    public IPAddress? PreferredSource { get; init; }

    /// <summary>Who owns the route (rtm_protocol). Steer tags its routes with its own number.</summary>
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Boot;

    /// <summary>The gateway is reachable on the link without a subnet that says so (RTNH_F_ONLINK).</summary>
    public bool OnLink { get; init; }

    /// <summary>Set on decoded routes with several next hops (RTA_MULTIPATH): their gateways and
    /// interfaces are not in this record. Steer never creates such routes.</summary>
    public bool IsMultipath { get; init; }

    public AddressFamily Family => Destination.BaseAddress.AddressFamily;

    /// <summary>The default route of a family: <c>0.0.0.0/0</c> or <c>::/0</c>.</summary>
    public static IPNetwork DefaultDestination(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? new IPNetwork(IPAddress.IPv6Any, 0) : new IPNetwork(IPAddress.Any, 0);

    /// <summary>The scope a new route gets when <see cref="Scope"/> is null, chosen as ip chooses it.</summary>
    public RouteScope ScopeToAdd => Scope ?? Type switch
    {
        RouteType.Local => RouteScope.Host,
        RouteType.Broadcast or RouteType.Multicast or RouteType.Anycast => RouteScope.Link,
        RouteType.Unicast or RouteType.Unspecified when Gateway is null => RouteScope.Link,
        _ => RouteScope.Universe,
    };

    /// <summary>The <c>ip route</c> line, for example
    /// <c>10.0.0.0/8 via 192.0.2.1 dev if3 table 100 proto static metric 5</c>. Interfaces print
    /// as <c>ifN</c> (ip's own spelling for an index it has no name for); scope and protocol only
    /// when not the usual.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Type != RouteType.Unicast)
            text.Append(RouteWords.Type(Type)).Append(' ');
        // ip prints a host route as its bare address.
        int hostLength = Family == AddressFamily.InterNetworkV6 ? 128 : 32;
        text.Append(Destination.PrefixLength == 0 ? "default"
            : Destination.PrefixLength == hostLength ? Destination.BaseAddress.ToString() : Destination.ToString());
        if (Gateway is not null)
            text.Append(Gateway.AddressFamily == Family ? " via " : " via inet6 ").Append(Gateway);
        if (OutputInterface is { } oif)
            text.Append(" dev if").Append(oif);
        if (Table != RouteTable.Main)
            text.Append(" table ").Append(RouteTable.Name(Table));
        if (Protocol != RouteProtocol.Boot)
            text.Append(" proto ").Append(RouteWords.Protocol(Protocol));
        if (Scope is { } scope && scope != RouteScope.Universe)
            text.Append(" scope ").Append(InterfaceAddress.ScopeName((byte)scope));
        if (PreferredSource is not null)
            text.Append(" src ").Append(PreferredSource);
        if (Metric is { } metric)
            text.Append(" metric ").Append(metric);
        if (OnLink)
            text.Append(" onlink");
        if (IsMultipath)
            text.Append(" multipath");
        return text.ToString();
    }
}
