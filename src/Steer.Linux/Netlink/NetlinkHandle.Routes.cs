using System.Net.Sockets;

namespace Steer.Linux.Netlink;

// Routes: RTM_GETROUTE / RTM_NEWROUTE / RTM_DELROUTE, like ip route show / add / replace / del.
public sealed partial class NetlinkHandle
{
    /// <summary><c>ip [-4|-6] route show table all</c>, or <c>table TABLE</c>: IPv4 and IPv6
    /// routes unless <paramref name="family"/> says which. Includes the kernel's own routes
    /// (local table, connected subnets, IPv6 link-local and multicast).</summary>
    public IReadOnlyList<Route> ListRoutes(AddressFamily? family = null, uint? table = null)
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
        request.AddFixed(Rt.RtMsgSize)[0] = FamilyByte(family);
        var routes = new List<Route>();
        // Filtered here: the kernel filters a route dump by table only with NETLINK_GET_STRICT_CHK.
        Execute(ref request, table is null ? "RTM_GETROUTE dump" : $"RTM_GETROUTE dump table {table}", (in NetlinkMessage m) =>
        {
            if (m.Type == Rt.RTM_NEWROUTE && RouteDecoder.Decode(m) is { } route && (table is null || route.Table == table))
                routes.Add(route);
        });
        return routes;
    }

    /// <summary><c>ip route add ROUTE</c>: fails with EEXIST when the table already has a route
    /// to that destination with that metric (and, for IPv4, type and scope).</summary>
    public void AddRoute(Route route) => ChangeRoute(Rt.RTM_NEWROUTE, Create, route, "RTM_NEWROUTE");

    /// <summary><c>ip route replace ROUTE</c>: adds it, or replaces the route to the same
    /// destination and metric.</summary>
    public void ReplaceRoute(Route route) =>
        ChangeRoute(Rt.RTM_NEWROUTE, Change | Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE, route, "RTM_NEWROUTE replace");

    /// <summary><c>ip route del ROUTE</c>: deletes the first route matching every field set in
    /// <paramref name="route"/>, including its protocol — so a program that tags its routes deletes
    /// only its own. Fails with ESRCH when none matches.</summary>
    public void DeleteRoute(Route route) => ChangeRoute(Rt.RTM_DELROUTE, Change, route, "RTM_DELROUTE");

    private void ChangeRoute(ushort type, ushort flags, Route route, string verb)
    {
        ArgumentNullException.ThrowIfNull(route);
        RouteEncoder.Validate(route);
        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = new NetlinkMessageWriter(buffer, type, flags);
        RouteEncoder.Write(ref request, route, delete: type == Rt.RTM_DELROUTE);
        ExecuteChange(ref request, $"{verb} {route}");
    }

    private static byte FamilyByte(AddressFamily? family) => family switch
    {
        null or AddressFamily.Unspecified => Rt.AF_UNSPEC,
        AddressFamily.InterNetwork => Rt.AF_INET,
        AddressFamily.InterNetworkV6 => Rt.AF_INET6,
        _ => throw new ArgumentException($"{family} is not IPv4 or IPv6", nameof(family)),
    };
}
