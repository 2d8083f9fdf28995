using System.Net;
using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

/// <summary>Decodes RTM_NEWADDR / RTM_DELADDR payloads (struct ifaddrmsg + IFA_* attributes).</summary>
internal static class AddressDecoder
{
    /// <summary>The address, or null for a family other than IPv4/IPv6 (the kernel has others).</summary>
    public static InterfaceAddress? Decode(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < Rt.IfAddrMsgSize)
            throw new NetlinkParseException($"address message of {payload.Length} bytes, ifaddrmsg needs {Rt.IfAddrMsgSize}", message.Offset);
        byte family = payload[0];
        byte prefixLength = payload[1];
        uint flags = payload[2];
        byte scope = payload[3];
        int index = MemoryMarshal.Read<int>(payload[4..]);
        int size = AddressAttributes.SizeOf(family);
        if (size == 0)
            return null;
        if (prefixLength > size * 8)
            throw new NetlinkParseException($"prefix length {prefixLength} for a {size * 8}-bit address", message.Offset);

        IPAddress? local = null, address = null;
        string? label = null;
        var attributes = new NetlinkAttributeReader(payload[Rt.IfAddrMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case Rt.IFA_LOCAL: local = AddressAttributes.Read(attribute, size); break;
                case Rt.IFA_ADDRESS: address = AddressAttributes.Read(attribute, size); break;
                case Rt.IFA_LABEL: label = attribute.GetString(); break;
                case Rt.IFA_FLAGS: flags = attribute.GetUInt32(); break;
            }
        }
        // IFA_ADDRESS is the peer on point-to-point links; IFA_LOCAL, when present, is ours.
        var ours = local ?? address
            ?? throw new NetlinkParseException($"address message for link {index} has neither IFA_LOCAL nor IFA_ADDRESS", message.Offset);
        return new InterfaceAddress(index, ours, prefixLength, scope, (AddressFlags)flags, label);
    }
}
