using System.Net;
using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

/// <summary>Decodes RTM_NEWROUTE / RTM_DELROUTE payloads (struct rtmsg + RTA_* attributes).</summary>
internal static class RouteDecoder
{
    /// <summary>The route, or null for what a <see cref="Route"/> does not describe: families other
    /// than IPv4/IPv6 (multicast routing, MPLS) and route-cache clones.</summary>
    public static Route? Decode(in NetlinkMessage message) => Decode(message, lookupResult: false);

    /// <summary>The answer to a route lookup (ip route get), which the kernel marks RTM_F_CLONED
    /// like a cache entry; it is the route, so it is kept.</summary>
    public static Route? DecodeLookup(in NetlinkMessage message) => Decode(message, lookupResult: true);

    private static Route? Decode(in NetlinkMessage message, bool lookupResult)
    {
        var payload = message.Payload;
        if (payload.Length < Rt.RtMsgSize)
            throw new NetlinkParseException($"route message of {payload.Length} bytes, rtmsg needs {Rt.RtMsgSize}", message.Offset);
        byte family = payload[0];
        byte destinationLength = payload[1];
        uint table = payload[4];
        var protocol = (RouteProtocol)payload[5];
        var scope = (RouteScope)payload[6];
        var type = (RouteType)payload[7];
        uint flags = MemoryMarshal.Read<uint>(payload[8..]);
        int size = AddressAttributes.SizeOf(family);
        if (size == 0 || ((flags & Rt.RTM_F_CLONED) != 0 && !lookupResult))
            return null;

        IPAddress? destination = null, gateway = null, source = null;
        int? oif = null;
        uint? metric = null;
        bool multipath = false;
        var attributes = new NetlinkAttributeReader(payload[Rt.RtMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case Rt.RTA_DST: destination = AddressAttributes.Read(attribute, size); break;
                case Rt.RTA_GATEWAY: gateway = AddressAttributes.Read(attribute, size); break;
                case Rt.RTA_VIA: gateway = ReadVia(attribute); break;
                case Rt.RTA_OIF: oif = (int)attribute.GetUInt32(); break;
                case Rt.RTA_PRIORITY: metric = attribute.GetUInt32(); break;
                case Rt.RTA_PREFSRC: source = AddressAttributes.Read(attribute, size); break;
                case Rt.RTA_TABLE: table = attribute.GetUInt32(); break;
                case Rt.RTA_MULTIPATH: multipath = true; break;
            }
        }
        return new Route
        {
            Destination = AddressAttributes.Network(destination, destinationLength, size, message.Offset),
            Gateway = gateway,
            OutputInterface = oif,
            Table = table,
            Metric = metric,
            Scope = scope,
            Type = type,
            PreferredSource = source,
            Protocol = protocol,
            OnLink = (flags & Rt.RTNH_F_ONLINK) != 0,
            IsMultipath = multipath,
        };
    }

    /// <summary>struct rtvia: u16 family, then the address (an IPv4 route's IPv6 next hop).</summary>
    private static IPAddress ReadVia(in NetlinkAttribute attribute)
    {
        var payload = attribute.Payload;
        if (payload.Length < 2)
            throw new NetlinkParseException($"RTA_VIA of {payload.Length} bytes", attribute.Offset);
        ushort family = MemoryMarshal.Read<ushort>(payload);
        int size = family <= byte.MaxValue ? AddressAttributes.SizeOf((byte)family) : 0;
        if (size == 0 || payload.Length != 2 + size)
            throw new NetlinkParseException($"RTA_VIA of {payload.Length} bytes for family {family}", attribute.Offset);
        return new IPAddress(payload[2..]);
    }
}
