using System.Net;
using FsCheck;
using FsCheck.Fluent;
using static Steer.PassiveDns.Tests.Frames;

namespace Steer.PassiveDns.Tests;

public class PassiveDnsDecoderTests
{
    private readonly List<DnsAnswerSeen> _seen = [];
    private readonly PassiveDnsDecoder _decoder;

    public PassiveDnsDecoderTests() => _decoder = new PassiveDnsDecoder(_seen.Add);

    private void Process(byte[] packet, int ifindex = 4, CaptureDirection direction = CaptureDirection.Incoming) =>
        _decoder.Process(packet, ifindex, direction, 0);

    [Fact]
    public void A_UDP_answer_over_IPv4_is_reported_with_where_it_was_seen()
    {
        Process(UdpAnswer4(Answers.For("www.example.com", "203.0.113.1", "2001:db8::1")), ifindex: 7);
        var seen = Assert.Single(_seen);
        Assert.Equal(7, seen.InterfaceIndex);
        Assert.Equal(CaptureDirection.Incoming, seen.Direction);
        Assert.Equal(DnsTransport.Udp, seen.Transport);
        Assert.Equal(Answers.Name, seen.Question);
        Assert.Equal(DnsType.A, seen.QuestionType);
        Assert.Equal([Answers.Name], seen.ChainNames);
        Assert.Equal(
            [new DnsChainAddress(Answers.Name, DnsAddress.Parse("203.0.113.1"), 300), new DnsChainAddress(Answers.Name, DnsAddress.Parse("2001:db8::1"), 300)],
            seen.Addresses);
        Assert.Equal(new IPEndPoint(Server4, 53), seen.Server);
        Assert.Equal(new IPEndPoint(Client4, ClientPort), seen.Client);
        Assert.False(seen.Reassembled);
        Assert.Equal(1, _decoder.Snapshot().Answers);
    }

    [Fact]
    public void A_CNAME_chain_gives_every_name_and_the_final_addresses()
    {
        Process(UdpAnswer6(Answers.WithChain()), direction: CaptureDirection.Outgoing);
        var seen = Assert.Single(_seen);
        Assert.Equal(["www.example.com", "edge.cdn.example"], seen.ChainNames.Select(n => n.ToString()));
        Assert.Equal(["203.0.113.9", "2001:db8::9"], seen.Addresses.Select(a => a.Address.ToString()));
        Assert.All(seen.Addresses, a => Assert.Equal(DnsName.Parse("edge.cdn.example"), a.Owner));
        Assert.Equal(new IPEndPoint(Server6, 53), seen.Server);
        Assert.Equal(CaptureDirection.Outgoing, seen.Direction);
    }

    [Fact]
    public void A_TCP_answer_split_across_segments_is_reported_once_reassembled()
    {
        var framed = Framed(Answers.WithChain());
        Process(IPv4(TcpProtocol, TcpSegment([], 999, TcpFlags.Syn | TcpFlags.Ack)));
        Process(IPv4(TcpProtocol, TcpSegment(framed[..1], 1000)));
        Process(IPv4(TcpProtocol, TcpSegment(framed[1..30], 1001)));
        Assert.Empty(_seen);
        Process(IPv4(TcpProtocol, TcpSegment(framed[30..], 1030, TcpFlags.Ack | TcpFlags.Fin)));
        var seen = Assert.Single(_seen);
        Assert.Equal(DnsTransport.Tcp, seen.Transport);
        Assert.True(seen.Reassembled);
        Assert.Equal(2, seen.Addresses.Count);
        Assert.Equal(1, _decoder.Snapshot().TcpReassembled);
    }

    [Fact]
    public void Messages_that_are_not_reportable_answers_are_counted_apart()
    {
        Process(UdpAnswer4(Answers.Build(Answers.Name, DnsRcode.NXDomain, [])));
        Process(UdpAnswer4(Answers.Build(Answers.Name, DnsRcode.ServFail, [])));
        Process(UdpAnswer4(Answers.Build(Answers.Name, DnsRcode.NoError, [], DnsType.AAAA))); // NODATA
        Process(UdpAnswer4(Answers.Build(Answers.Name, DnsRcode.NoError,
            [DnsRecord.Address(Answers.Name, 60, DnsAddress.Parse("192.0.2.1"))], flags: 0x0100))); // QR clear
        Process(UdpAnswer4(Answers.Build(Answers.Name, DnsRcode.NoError,
            [DnsRecord.Address(DnsName.Parse("elsewhere.example"), 60, DnsAddress.Parse("192.0.2.1"))]))); // off the chain
        Process(UdpAnswer4(Answers.Build(Answers.Name, DnsRcode.NoError,
            [DnsRecord.Address(Answers.Name, 60, DnsAddress.Parse("192.0.2.1"))], flags: 0x8180 | 5 << 11))); // opcode UPDATE
        Assert.Empty(_seen);
        var counters = _decoder.Snapshot();
        Assert.Equal(6, counters.NotAnswers);
        Assert.Equal(0, counters.Malformed);
    }

    [Fact]
    public void Malformed_and_foreign_packets_are_counted_and_dropped()
    {
        var message = Answers.For("www.example.com", "203.0.113.1");
        Process(UdpAnswer4([.. message, 0]));                    // trailing byte: the codec refuses it
        Process(UdpAnswer4(message[..20]));                      // cut DNS message
        Process(UdpAnswer4(message)[..30]);                      // cut packet
        Process(IPv4(UdpProtocol, UdpDatagram(message), fragment: 0x2000)); // first fragment
        Process(IPv4(UdpProtocol, UdpDatagram(message), fragment: 0x0020)); // later fragment
        Process(IPv4(UdpProtocol, UdpDatagram(message, sourcePort: 9)));
        Process([0x00, 0x01, 0x08, 0x00]);                       // an ARP header
        Assert.Empty(_seen);
        var counters = _decoder.Snapshot();
        Assert.Equal(7, counters.Packets);
        Assert.Equal(3, counters.Malformed);
        Assert.Equal(1, counters.Fragmented);
        Assert.Equal(3, counters.NotDns);
    }

    [Fact]
    public void A_failing_callback_is_counted_and_decoding_goes_on()
    {
        int calls = 0;
        using var decoder = new PassiveDnsDecoder(_ => throw new InvalidOperationException($"call {++calls}"));
        decoder.Process(UdpAnswer4(Answers.For("a.example", "192.0.2.1")), 1, CaptureDirection.Incoming, 0);
        decoder.Process(UdpAnswer4(Answers.For("b.example", "192.0.2.2")), 1, CaptureDirection.Incoming, 0);
        Assert.Equal(2, calls);
        Assert.Equal(2, decoder.Snapshot().CallbackFailures);
    }

    [Fact]
    public void Packets_that_are_not_answers_allocate_nothing()
    {
        var packets = new[]
        {
            IPv4(UdpProtocol, UdpDatagram(new byte[40], sourcePort: 9)),
            UdpAnswer4([.. Answers.For("www.example.com", "203.0.113.1"), 0]),
            UdpAnswer6(Answers.Build(Answers.Name, DnsRcode.NXDomain, [])),
            IPv4(UdpProtocol, UdpDatagram(new byte[40]), fragment: 0x2000),
        };
        foreach (var packet in packets) // warm up
            _decoder.Process(packet, 1, CaptureDirection.Incoming, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            foreach (var packet in packets)
                _decoder.Process(packet, 1, CaptureDirection.Incoming, 0);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Random_and_mutated_packets_never_throw_and_every_packet_is_counted_once() =>
        Check.One(PacketGenerators.Config.WithMaxTest(3000), Prop.ForAll(
            Gen.OneOf(PacketGenerators.Random, PacketGenerators.Mutated, AnswerPackets.SelectMany(MutatedAnswer)).ToArbitrary(),
            packet =>
            {
                var seen = new List<DnsAnswerSeen>();
                using var decoder = new PassiveDnsDecoder(seen.Add);
                decoder.Process(packet, 1, CaptureDirection.Incoming, 0);
                var c = decoder.Snapshot();
                Assert.Equal(1, c.Packets);
                // A UDP packet lands in exactly one bin; a TCP segment may also just be held.
                Assert.InRange(c.Answers + c.NotAnswers + c.Malformed + c.NotDns + c.Fragmented, 0, 1);
                Assert.Equal(c.Answers, seen.Count);
                Assert.All(seen, s => Assert.NotEmpty(s.Addresses));
            }));

    private static readonly Gen<byte[]> AnswerPackets =
        from ipv6 in Gen.Elements(false, true)
        from message in Gen.Elements(Answers.WithChain(), Answers.For("a.example", "192.0.2.1"), Answers.Large(400))
        select ipv6 ? UdpAnswer6(message) : UdpAnswer4(message);

    /// <summary>Bends the DNS message only, so the bytes get past the packet headers to the codec.</summary>
    private static Gen<byte[]> MutatedAnswer(byte[] packet)
    {
        int dns = (packet[0] >> 4 == 4 ? 20 : 40) + 8;
        return from position in Gen.Choose(dns, packet.Length - 1)
               from value in Gen.Choose(0, 255)
               select With(packet, position, (byte)value);
    }

    private static byte[] With(byte[] bytes, int position, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] = value;
        return copy;
    }
}
