using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

/// <summary>Decodes RTM_NEWRULE / RTM_DELRULE payloads (struct fib_rule_hdr + FRA_* attributes).</summary>
internal static class RuleDecoder
{
    /// <summary>The rule, or null for families other than IPv4/IPv6 (multicast routing rules).</summary>
    public static Rule? Decode(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < Rt.FibRuleHdrSize)
            throw new NetlinkParseException($"rule message of {payload.Length} bytes, fib_rule_hdr needs {Rt.FibRuleHdrSize}", message.Offset);
        byte family = payload[0];
        byte destinationLength = payload[1];
        byte sourceLength = payload[2];
        uint table = payload[4];
        var action = (RuleAction)payload[7];
        uint flags = MemoryMarshal.Read<uint>(payload[8..]);
        int size = AddressAttributes.SizeOf(family);
        if (size == 0)
            return null;

        IPAddress? destination = null, source = null;
        string? iif = null, oif = null;
        uint priority = 0; // the kernel leaves FRA_PRIORITY out for priority 0
        uint? mark = null, mask = null, gotoPriority = null;
        int? suppress = null;
        byte? ipProtocol = null;
        PortRange? sport = null, dport = null;
        var protocol = RouteProtocol.Unspecified;
        var attributes = new NetlinkAttributeReader(payload[Rt.FibRuleHdrSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case Rt.FRA_DST: destination = AddressAttributes.Read(attribute, size); break;
                case Rt.FRA_SRC: source = AddressAttributes.Read(attribute, size); break;
                case Rt.FRA_IIFNAME: iif = attribute.GetString(); break;
                case Rt.FRA_OIFNAME: oif = attribute.GetString(); break;
                case Rt.FRA_PRIORITY: priority = attribute.GetUInt32(); break;
                case Rt.FRA_FWMARK: mark = attribute.GetUInt32(); break;
                case Rt.FRA_FWMASK: mask = attribute.GetUInt32(); break;
                case Rt.FRA_TABLE: table = attribute.GetUInt32(); break;
                case Rt.FRA_GOTO: gotoPriority = attribute.GetUInt32(); break;
                // -1 is the kernel's "not set"; it sends the attribute anyway on older kernels.
                case Rt.FRA_SUPPRESS_PREFIXLEN: suppress = (int)attribute.GetUInt32() is var n and >= 0 ? n : null; break;
                case Rt.FRA_PROTOCOL: protocol = (RouteProtocol)attribute.GetByte(); break;
                case Rt.FRA_IP_PROTO: ipProtocol = attribute.GetByte(); break;
                case Rt.FRA_SPORT_RANGE: sport = ReadPorts(attribute); break;
                case Rt.FRA_DPORT_RANGE: dport = ReadPorts(attribute); break;
            }
        }
        // The kernel reports the mask whenever there is a mark; all ones is what "no mask" means.
        if (mask == uint.MaxValue)
            mask = null;
        if (mask is not null)
            mark ??= 0;
        return new Rule
        {
            Family = family == Rt.AF_INET6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork,
            Priority = priority,
            Invert = (flags & Rt.FIB_RULE_INVERT) != 0,
            Source = sourceLength > 0 || source is not null ? AddressAttributes.Network(source, sourceLength, size, message.Offset) : null,
            Destination = destinationLength > 0 || destination is not null ? AddressAttributes.Network(destination, destinationLength, size, message.Offset) : null,
            InputInterface = iif,
            OutputInterface = oif,
            FwMark = mark,
            FwMask = mask,
            IpProtocol = ipProtocol,
            SourcePorts = sport,
            DestinationPorts = dport,
            Action = action,
            Table = table != RouteTable.Unspecified ? table : null,
            GotoPriority = gotoPriority,
            SuppressPrefixLength = suppress,
            Protocol = protocol,
        };
    }

    private static PortRange ReadPorts(in NetlinkAttribute attribute) =>
        attribute.Payload.Length == 4
            ? new PortRange(MemoryMarshal.Read<ushort>(attribute.Payload), MemoryMarshal.Read<ushort>(attribute.Payload[2..]))
            : throw new NetlinkParseException($"port range attribute of {attribute.Payload.Length} bytes, expected 4", attribute.Offset);
}
