using System.Buffers.Binary;
using static Steer.PassiveDns.Tests.Frames;

namespace Steer.PassiveDns.Tests;

public class IpPacketParserTests
{
    private static readonly byte[] Message = Answers.For("www.example.com", "203.0.113.1");

    private static (PacketVerdict Verdict, TransportSegment Segment) Parse(byte[] packet) =>
        (IpPacketParser.Parse(packet, out var segment), segment);

    [Fact]
    public void IPv4_UDP_answer_gives_end_points_and_payload()
    {
        var packet = UdpAnswer4(Message);
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(DnsTransport.Udp, segment.Transport);
        Assert.Equal(DnsAddress.FromIPAddress(Server4), segment.Source);
        Assert.Equal(DnsAddress.FromIPAddress(Client4), segment.Destination);
        Assert.Equal((53, ClientPort), (segment.SourcePort, segment.DestinationPort));
        Assert.Equal(Message, segment.Payload(packet).ToArray());
    }

    [Fact]
    public void IPv4_options_are_skipped()
    {
        var packet = IPv4(UdpProtocol, UdpDatagram(Message), options: [0x94, 0x04, 0, 0, 1, 1, 1, 0]); // router alert, NOPs, EOL
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(28 + 8, segment.PayloadOffset);
        Assert.Equal(Message, segment.Payload(packet).ToArray());
    }

    [Fact]
    public void Bytes_past_the_IP_total_length_are_ignored()
    {
        // A short frame's Ethernet padding stays in what a capture socket hands over.
        var packet = (byte[])[.. UdpAnswer4(Message), 0, 0, 0, 0, 0, 0];
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(Message, segment.Payload(packet).ToArray());
    }

    [Fact]
    public void IPv4_TCP_segment_gives_sequence_flags_and_payload_after_options()
    {
        var framed = Framed(Message);
        var packet = IPv4(TcpProtocol, TcpSegment(framed, sequence: 0xFFFFFFF0, flags: TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, optionBytes: 12));
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(DnsTransport.Tcp, segment.Transport);
        Assert.Equal(0xFFFFFFF0, segment.TcpSequence);
        Assert.Equal(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, segment.TcpFlags);
        Assert.Equal(20 + 32, segment.PayloadOffset);
        Assert.Equal(framed, segment.Payload(packet).ToArray());
    }

    [Fact]
    public void IPv6_UDP_answer_gives_end_points_and_payload()
    {
        var packet = UdpAnswer6(Message);
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(DnsAddress.FromIPAddress(Server6), segment.Source);
        Assert.Equal(DnsAddress.FromIPAddress(Client6), segment.Destination);
        Assert.Equal(Message, segment.Payload(packet).ToArray());
    }

    [Fact]
    public void IPv6_extension_headers_are_skipped()
    {
        var packet = IPv6(TcpProtocol, TcpSegment(Framed(Message)), null, null,
            Options(0), Options(60, units: 2), Options(43, units: 1), Fragment(0, more: false), Authentication());
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(DnsTransport.Tcp, segment.Transport);
        Assert.Equal(Framed(Message), segment.Payload(packet).ToArray());
    }

    [Fact]
    public void Too_many_IPv6_extension_headers_are_refused()
    {
        var packet = IPv6(UdpProtocol, UdpDatagram(Message), null, null,
            [.. Enumerable.Repeat(Options(60), IpPacketParser.MaxIPv6ExtensionHeaders + 1)]);
        Assert.Equal(PacketVerdict.Malformed, Parse(packet).Verdict);
    }

    [Theory]
    [InlineData(0x2000, PacketVerdict.FirstFragment)] // MF, offset 0
    [InlineData(0x0010, PacketVerdict.LaterFragment)] // last fragment, offset 128
    [InlineData(0x2010, PacketVerdict.LaterFragment)] // a middle one
    [InlineData(0x4000, PacketVerdict.DnsSegment)]   // DF: whole
    public void IPv4_fragments_are_told_apart(ushort fragmentField, PacketVerdict expected) =>
        Assert.Equal(expected, Parse(IPv4(UdpProtocol, UdpDatagram(Message), fragment: fragmentField)).Verdict);

    [Theory]
    [InlineData(0, true, PacketVerdict.FirstFragment)]
    [InlineData(16, false, PacketVerdict.LaterFragment)]
    [InlineData(16, true, PacketVerdict.LaterFragment)]
    [InlineData(0, false, PacketVerdict.DnsSegment)] // an atomic fragment (RFC 6946): whole
    public void IPv6_fragments_are_told_apart(int offset, bool more, PacketVerdict expected) =>
        Assert.Equal(expected, Parse(IPv6(UdpProtocol, UdpDatagram(Message), null, null, Fragment(offset, more))).Verdict);

    [Fact]
    public void Other_protocols_and_ports_are_not_DNS()
    {
        Assert.Equal(PacketVerdict.NotUdpOrTcp, Parse(IPv4(Icmp, new byte[16])).Verdict);
        Assert.Equal(PacketVerdict.NotUdpOrTcp, Parse(IPv6(Esp, new byte[32])).Verdict);
        Assert.Equal(PacketVerdict.NotFromDnsPort, Parse(IPv4(UdpProtocol, UdpDatagram(Message, sourcePort: 5353))).Verdict);
        // A query (to port 53, not from it) is not an answer either.
        Assert.Equal(PacketVerdict.NotFromDnsPort, Parse(IPv6(UdpProtocol, UdpDatagram(Message, sourcePort: ClientPort, destinationPort: 53))).Verdict);
        Assert.Equal(PacketVerdict.NotIp, Parse([0x50, 0, 0, 0]).Verdict);
        Assert.Equal(PacketVerdict.NotIp, Parse([]).Verdict);
    }

    [Fact]
    public void Impossible_header_fields_are_malformed()
    {
        var shortIhl = UdpAnswer4(Message);
        shortIhl[0] = 0x44;
        Assert.Equal(PacketVerdict.Malformed, Parse(shortIhl).Verdict);

        var totalUnderHeader = UdpAnswer4(Message);
        BinaryPrimitives.WriteUInt16BigEndian(totalUnderHeader.AsSpan(2), 19);
        Assert.Equal(PacketVerdict.Malformed, Parse(totalUnderHeader).Verdict);

        var udpUnderHeader = UdpAnswer4(Message);
        BinaryPrimitives.WriteUInt16BigEndian(udpUnderHeader.AsSpan(24), 7);
        Assert.Equal(PacketVerdict.Malformed, Parse(udpUnderHeader).Verdict);

        var tcpUnderHeader = IPv4(TcpProtocol, TcpSegment(Framed(Message)));
        tcpUnderHeader[20 + 12] = 4 << 4;
        Assert.Equal(PacketVerdict.Malformed, Parse(tcpUnderHeader).Verdict);
    }

    [Fact]
    public void Lengths_beyond_the_packet_are_truncation()
    {
        var longer = UdpAnswer4(Message);
        BinaryPrimitives.WriteUInt16BigEndian(longer.AsSpan(2), (ushort)(longer.Length + 1));
        Assert.Equal(PacketVerdict.Truncated, Parse(longer).Verdict);

        var udpLonger = UdpAnswer6(Message);
        BinaryPrimitives.WriteUInt16BigEndian(udpLonger.AsSpan(44), (ushort)(udpLonger.Length - 40 + 1));
        Assert.Equal(PacketVerdict.Truncated, Parse(udpLonger).Verdict);
    }

    [Fact]
    public void Every_cut_of_a_packet_is_truncation_never_a_segment()
    {
        foreach (var packet in new[]
        {
            UdpAnswer4(Message), UdpAnswer6(Message), IPv4(TcpProtocol, TcpSegment(Framed(Message), optionBytes: 12)),
            IPv6(UdpProtocol, UdpDatagram(Message), null, null, Options(0), Fragment(0, false), Authentication()),
        })
        {
            for (int length = 1; length < packet.Length; length++)
            {
                var cut = packet[..length];
                Assert.Equal(PacketVerdict.Truncated, IpPacketParser.Parse(cut, out _));
            }
        }
    }

    [Fact]
    public void A_UDP_datagram_shorter_than_its_IP_packet_gives_only_its_own_payload()
    {
        var packet = UdpAnswer4(Message);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + 12));
        var (verdict, segment) = Parse(packet);
        Assert.Equal(PacketVerdict.DnsSegment, verdict);
        Assert.Equal(12, segment.PayloadLength);
    }
}
