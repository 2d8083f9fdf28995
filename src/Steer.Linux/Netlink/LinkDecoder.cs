using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

/// <summary>Decodes RTM_NEWLINK / RTM_DELLINK payloads (struct ifinfomsg + IFLA_* attributes).</summary>
internal static class LinkDecoder
{
    /// <summary>The link, and the ifi_change mask (which flags changed; all ones for a new link).</summary>
    public static (Link Link, uint Change) Decode(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < Rt.IfInfoMsgSize)
            throw new NetlinkParseException($"link message of {payload.Length} bytes, ifinfomsg needs {Rt.IfInfoMsgSize}", message.Offset);
        ushort type = MemoryMarshal.Read<ushort>(payload[2..]);
        int index = MemoryMarshal.Read<int>(payload[4..]);
        uint flags = MemoryMarshal.Read<uint>(payload[8..]);
        uint change = MemoryMarshal.Read<uint>(payload[12..]);

        string? name = null, kind = null;
        uint mtu = 0;
        var attributes = new NetlinkAttributeReader(payload[Nl.Align(Rt.IfInfoMsgSize)..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case Rt.IFLA_IFNAME: name = attribute.GetString(); break;
                case Rt.IFLA_MTU: mtu = attribute.GetUInt32(); break;
                case Rt.IFLA_LINKINFO: kind = ReadKind(attribute.GetNested()); break;
            }
        }
        if (name is null)
            throw new NetlinkParseException($"link {index} has no IFLA_IFNAME", message.Offset);
        var link = new Link(index, name, (flags & Rt.IFF_UP) != 0, (flags & Rt.IFF_LOWER_UP) != 0, mtu, kind, type);
        return (link, change);
    }

    private static string? ReadKind(NetlinkAttributeReader linkInfo)
    {
        while (linkInfo.TryRead(out var attribute))
            if (attribute.Type == Rt.IFLA_INFO_KIND)
                return attribute.GetString();
        return null;
    }
}
