using System.Buffers.Binary;
using Steer.Dns;

namespace Steer.PassiveDns.Packets;

/// <summary>
/// Finds the UDP or TCP payload of a DNS server's packet, from the IP header on (a cooked
/// AF_PACKET socket has already taken the link-layer header off). Pure, allocation-free, and
/// never throws: any byte string gets a <see cref="PacketVerdict"/>.
/// </summary>
/// <remarks>
/// Lengths come from the headers, not from the capture: bytes past the IP total length (Ethernet
/// padding of short frames) are ignored, and a packet shorter than its headers say is
/// <see cref="PacketVerdict.Truncated"/>. Checksums are not verified: on the sending host they are
/// often left to the device (CHECKSUM_PARTIAL) when the capture sees the packet, and a DNS message
/// still has to pass the codec's checks.
/// </remarks>
public static class IpPacketParser
{
    public const int DnsPort = 53;

    /// <summary>At most this many IPv6 extension headers are skipped: real packets carry one or two.</summary>
    public const int MaxIPv6ExtensionHeaders = 8;

    private const byte ProtocolTcp = 6, ProtocolUdp = 17;
    private const byte HopByHop = 0, Routing = 43, Fragment = 44, Authentication = 51, DestinationOptions = 60;
    private const int IPv4MinHeader = 20, IPv6Header = 40, UdpHeader = 8, TcpMinHeader = 20;

    public static PacketVerdict Parse(ReadOnlySpan<byte> packet, out TransportSegment segment)
    {
        segment = default;
        if (packet.IsEmpty)
            return PacketVerdict.NotIp;
        return (packet[0] >> 4) switch
        {
            4 => ParseIPv4(packet, out segment),
            6 => ParseIPv6(packet, out segment),
            _ => PacketVerdict.NotIp,
        };
    }

    private static PacketVerdict ParseIPv4(ReadOnlySpan<byte> packet, out TransportSegment segment)
    {
        segment = default;
        if (packet.Length < IPv4MinHeader)
            return PacketVerdict.Truncated;
        int headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < IPv4MinHeader)
            return PacketVerdict.Malformed;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        // A GSO/GRO packet over 64 KiB (BIG TCP) carries 0 here; its length is the packet's own.
        if (totalLength == 0 && packet.Length > ushort.MaxValue)
            totalLength = packet.Length;
        if (totalLength < headerLength)
            return PacketVerdict.Malformed;
        if (packet.Length < totalLength)
            return PacketVerdict.Truncated;
        packet = packet[..totalLength];

        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        if ((fragment & 0x1FFF) != 0)
            return PacketVerdict.LaterFragment;
        if ((fragment & 0x2000) != 0)
            return PacketVerdict.FirstFragment;

        var source = DnsAddress.FromBytes(packet.Slice(12, 4));
        var destination = DnsAddress.FromBytes(packet.Slice(16, 4));
        return ParseTransport(packet, headerLength, packet[9], source, destination, out segment);
    }

    private static PacketVerdict ParseIPv6(ReadOnlySpan<byte> packet, out TransportSegment segment)
    {
        segment = default;
        if (packet.Length < IPv6Header)
            return PacketVerdict.Truncated;
        int totalLength = IPv6Header + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        // Payload length 0 with more data: a jumbogram or BIG TCP packet; take the packet's length.
        if (totalLength == IPv6Header && packet.Length > ushort.MaxValue)
            totalLength = packet.Length;
        if (packet.Length < totalLength)
            return PacketVerdict.Truncated;
        packet = packet[..totalLength];

        byte next = packet[6];
        int offset = IPv6Header;
        for (int skipped = 0; IsExtensionHeader(next); skipped++)
        {
            if (skipped == MaxIPv6ExtensionHeaders)
                return PacketVerdict.Malformed;
            if (packet.Length < offset + 8) // every extension header is at least 8 bytes
                return PacketVerdict.Truncated;
            int length;
            if (next == Fragment)
            {
                ushort field = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
                if ((field & 0xFFF8) != 0)
                    return PacketVerdict.LaterFragment;
                if ((field & 1) != 0)
                    return PacketVerdict.FirstFragment;
                length = 8;
            }
            else
            {
                length = next == Authentication ? (packet[offset + 1] + 2) * 4 : (packet[offset + 1] + 1) * 8;
            }
            next = packet[offset];
            offset += length;
        }
        if (offset > packet.Length)
            return PacketVerdict.Truncated;

        var source = DnsAddress.FromBytes(packet.Slice(8, 16));
        var destination = DnsAddress.FromBytes(packet.Slice(24, 16));
        return ParseTransport(packet, offset, next, source, destination, out segment);
    }

    private static bool IsExtensionHeader(byte next) =>
        next is HopByHop or Routing or Fragment or Authentication or DestinationOptions;

    /// <param name="packet">Cut to the IP total length.</param>
    private static PacketVerdict ParseTransport(ReadOnlySpan<byte> packet, int offset, byte protocol,
        DnsAddress source, DnsAddress destination, out TransportSegment segment)
    {
        segment = default;
        if (protocol is not (ProtocolUdp or ProtocolTcp))
            return PacketVerdict.NotUdpOrTcp;
        var l4 = packet[offset..];
        if (l4.Length < 4)
            return PacketVerdict.Truncated;
        ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
        ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        if (sourcePort != DnsPort)
            return PacketVerdict.NotFromDnsPort;

        if (protocol == ProtocolUdp)
        {
            if (l4.Length < UdpHeader)
                return PacketVerdict.Truncated;
            int udpLength = BinaryPrimitives.ReadUInt16BigEndian(l4[4..]);
            if (udpLength < UdpHeader)
                return PacketVerdict.Malformed;
            if (udpLength > l4.Length)
                return PacketVerdict.Truncated;
            segment = new TransportSegment(DnsTransport.Udp, source, sourcePort, destination, destinationPort,
                offset + UdpHeader, udpLength - UdpHeader);
            return PacketVerdict.DnsSegment;
        }

        if (l4.Length < TcpMinHeader)
            return PacketVerdict.Truncated;
        int headerLength = (l4[12] >> 4) * 4;
        if (headerLength < TcpMinHeader)
            return PacketVerdict.Malformed;
        if (headerLength > l4.Length)
            return PacketVerdict.Truncated;
        segment = new TransportSegment(DnsTransport.Tcp, source, sourcePort, destination, destinationPort,
            offset + headerLength, l4.Length - headerLength,
            BinaryPrimitives.ReadUInt32BigEndian(l4[4..]), (TcpFlags)(l4[13] & 0x1F));
        return PacketVerdict.DnsSegment;
    }
}
