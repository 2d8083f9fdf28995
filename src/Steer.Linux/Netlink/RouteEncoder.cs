using System.Net.Sockets;

namespace Steer.Linux.Netlink;

/// <summary>Writes a <see cref="Route"/> as an RTM_NEWROUTE / RTM_DELROUTE request body.</summary>
internal static class RouteEncoder
{
    /// <summary>Refuses a route the kernel could only refuse less clearly, before anything is sent.</summary>
    public static void Validate(Route route)
    {
        var family = route.Family;
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"route {route}: destination must be IPv4 or IPv6", nameof(route));
        // An IPv4 route may have an IPv6 next hop (RTA_VIA); the reverse does not exist.
        if (route.Gateway is { } gateway && gateway.AddressFamily != family
            && !(family == AddressFamily.InterNetwork && gateway.AddressFamily == AddressFamily.InterNetworkV6))
            throw new ArgumentException($"route {route}: an IPv6 route cannot have an IPv4 gateway", nameof(route));
        if (route.PreferredSource is { } source && source.AddressFamily != family)
            throw new ArgumentException($"route {route}: the preferred source is not of the destination's family", nameof(route));
        if (route.OutputInterface is <= 0)
            throw new ArgumentException($"route {route}: interface index must be positive", nameof(route));
        if (route.Table == RouteTable.Unspecified)
            throw new ArgumentException($"route {route}: table 0 is not a table", nameof(route));
    }

    public static void Write(ref NetlinkMessageWriter request, Route route, bool delete)
    {
        byte family = route.Family == AddressFamily.InterNetworkV6 ? Rt.AF_INET6 : Rt.AF_INET;
        var header = request.AddFixed(Rt.RtMsgSize);
        header[0] = family;
        header[1] = (byte)route.Destination.PrefixLength;
        // Ids that do not fit rtm_table go only in RTA_TABLE, as ip does; RTA_TABLE always wins.
        header[4] = route.Table < 256 ? (byte)route.Table : (byte)RouteTable.Unspecified;
        header[5] = (byte)route.Protocol;
        header[6] = (byte)(delete ? route.Scope ?? RouteScope.Nowhere : route.ScopeToAdd); // NOWHERE: any, when deleting
        header[7] = (byte)route.Type;
        if (route.OnLink)
            header[8] = (byte)Rt.RTNH_F_ONLINK;

        if (route.Destination.PrefixLength > 0)
            request.AddAddress(Rt.RTA_DST, route.Destination.BaseAddress);
        if (route.Gateway is { } gateway)
        {
            if (AddressAttributes.FamilyOf(gateway) == family)
                request.AddAddress(Rt.RTA_GATEWAY, gateway);
            else
                WriteVia(ref request, gateway);
        }
        if (route.OutputInterface is { } oif)
            request.AddUInt32(Rt.RTA_OIF, (uint)oif);
        if (route.Metric is { } metric)
            request.AddUInt32(Rt.RTA_PRIORITY, metric);
        if (route.PreferredSource is { } source)
            request.AddAddress(Rt.RTA_PREFSRC, source);
        request.AddUInt32(Rt.RTA_TABLE, route.Table);
    }

    private static void WriteVia(ref NetlinkMessageWriter request, System.Net.IPAddress gateway)
    {
        Span<byte> via = stackalloc byte[18];
        ushort family = Rt.AF_INET6; // struct rtvia: u16 family in host order, then the address
        System.Runtime.InteropServices.MemoryMarshal.Write(via, in family);
        gateway.TryWriteBytes(via[2..], out _);
        request.AddAttribute(Rt.RTA_VIA, via);
    }
}
