using FsCheck;
using FsCheck.Fluent;

namespace Steer.PassiveDns.Tests;

public class IpPacketParserPropertyTests
{
    [Fact]
    public void Valid_packets_parse_to_what_was_written() =>
        Check.One(PacketGenerators.Config, Prop.ForAll(PacketGenerators.Valid.ToArbitrary(), spec =>
        {
            var verdict = IpPacketParser.Parse(spec.Packet, out var segment);
            if (spec.SourcePort != IpPacketParser.DnsPort)
            {
                Assert.Equal(PacketVerdict.NotFromDnsPort, verdict);
                return;
            }
            Assert.Equal(PacketVerdict.DnsSegment, verdict);
            Assert.Equal(spec.Transport, segment.Transport);
            Assert.Equal(DnsAddress.FromIPAddress(spec.Source), segment.Source);
            Assert.Equal(DnsAddress.FromIPAddress(spec.Destination), segment.Destination);
            Assert.Equal(spec.DestinationPort, segment.DestinationPort);
            Assert.Equal(spec.Sequence, segment.TcpSequence);
            Assert.Equal(spec.Flags, segment.TcpFlags);
            Assert.Equal(spec.Payload, segment.Payload(spec.Packet).ToArray());
        }));

    [Fact]
    public void Random_bytes_get_a_verdict_and_never_a_payload_outside_the_packet() =>
        Check.One(PacketGenerators.Config.WithMaxTest(5000), Prop.ForAll(PacketGenerators.Random.ToArbitrary(), Holds));

    [Fact]
    public void Mutated_packets_get_a_verdict_and_never_a_payload_outside_the_packet() =>
        Check.One(PacketGenerators.Config.WithMaxTest(5000), Prop.ForAll(PacketGenerators.Mutated.ToArbitrary(), Holds));

    private static void Holds(byte[] packet)
    {
        var verdict = IpPacketParser.Parse(packet, out var segment);
        Assert.True(Enum.IsDefined(verdict));
        if (verdict != PacketVerdict.DnsSegment)
        {
            Assert.Equal(default, segment);
            return;
        }
        Assert.Equal(IpPacketParser.DnsPort, segment.SourcePort);
        Assert.InRange(segment.PayloadOffset, 28, packet.Length);
        Assert.InRange(segment.PayloadLength, 0, packet.Length - segment.PayloadOffset);
    }
}
