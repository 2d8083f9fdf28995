using Steer.PassiveDns.Tcp;

namespace Steer.PassiveDns.Tests;

/// <summary>Records what a <see cref="TcpDnsReassembler"/> hands out.</summary>
internal sealed class RecordingSink : ITcpDnsMessageSink
{
    public List<(TcpFlowKey Flow, byte[] Message, bool Reassembled)> Messages { get; } = [];

    public void OnMessage(in TcpFlowKey flow, ReadOnlySpan<byte> message, bool reassembled) =>
        Messages.Add((flow, message.ToArray(), reassembled));
}

public class TcpReassemblerTests
{
    private static readonly TcpFlowKey Flow = new(3, DnsAddress.Parse("192.0.2.53"), 53, DnsAddress.Parse("198.51.100.7"), 40000);
    private static readonly TcpFlowKey OtherFlow = Flow with { ClientPort = 40001 };
    private static readonly byte[] First = Answers.For("a.example", "203.0.113.1");
    private static readonly byte[] Second = Answers.For("b.example", "203.0.113.2", "2001:db8::2");
    private const uint Isn = 0xFFFFFF00; // wraps within the tests' streams

    private readonly TcpDnsReassembler _tcp = new();
    private readonly RecordingSink _sink = new();

    private void Feed(uint sequence, byte[] payload, TcpFlags flags = TcpFlags.Ack, long now = 0, TcpFlowKey? flow = null) =>
        _tcp.Feed(flow ?? Flow, sequence, flags, payload, now, _sink);

    [Fact]
    public void A_whole_message_in_one_segment_is_read_in_place_and_leaves_no_bytes()
    {
        Feed(Isn, Frames.Framed(First));
        var (flow, message, reassembled) = Assert.Single(_sink.Messages);
        Assert.Equal(Flow, flow);
        Assert.Equal(First, message);
        Assert.False(reassembled);
        Assert.Equal(1, _tcp.FlowCount); // the next sequence number, to tell a retransmission
        Assert.Equal(0, _tcp.BufferedBytes);
        Feed(Isn + (uint)Frames.Framed(First).Length, [], TcpFlags.Ack | TcpFlags.Fin);
        Assert.Equal(0, _tcp.FlowCount);
    }

    [Fact]
    public void A_retransmitted_tail_after_a_whole_message_is_a_duplicate()
    {
        var framed = Frames.Framed(First);
        Feed(Isn, framed);
        Feed(Isn + 40, framed[40..]);
        Assert.Single(_sink.Messages);
        Assert.Equal(1, _tcp.Counters.Duplicates);
        Assert.Equal(0, _tcp.Counters.NotDns);
    }

    [Fact]
    public void Two_messages_in_one_segment_both_come_out()
    {
        Feed(Isn, [.. Frames.Framed(First), .. Frames.Framed(Second)]);
        Assert.Equal([First, Second], _sink.Messages.Select(m => m.Message));
    }

    [Fact]
    public void A_message_split_at_every_point_is_put_back_together()
    {
        var stream = (byte[])[.. Frames.Framed(First), .. Frames.Framed(Second)];
        for (int split = 1; split < stream.Length; split++)
        {
            using var tcp = new TcpDnsReassembler();
            var sink = new RecordingSink();
            tcp.Feed(Flow, Isn, TcpFlags.Ack, stream.AsSpan(0, split), 0, sink);
            tcp.Feed(Flow, Isn + (uint)split, TcpFlags.Ack, stream.AsSpan(split), 0, sink);
            Assert.Equal([First, Second], sink.Messages.Select(m => m.Message));
            Assert.Equal(0, tcp.BufferedBytes);
        }
    }

    [Fact]
    public void A_message_in_three_segments_is_marked_reassembled_and_counted()
    {
        var framed = Frames.Framed(First);
        Feed(Isn, framed[..1]);
        Feed(Isn + 1, framed[1..10]);
        Assert.Equal(1, _tcp.FlowCount);
        Feed(Isn + 10, framed[10..]);
        var (_, message, reassembled) = Assert.Single(_sink.Messages);
        Assert.Equal(First, message);
        Assert.True(reassembled);
        Assert.Equal(1, _tcp.Counters.Reassembled);
    }

    [Fact]
    public void Retransmitted_and_overlapping_segments_add_only_new_bytes()
    {
        var framed = Frames.Framed(First);
        Feed(Isn, framed[..20]);
        Feed(Isn, framed[..20]);              // retransmission
        Feed(Isn + 10, framed[10..30]);       // overlap: 10 new bytes
        Feed(Isn + 30, framed[30..]);
        Assert.Equal(First, Assert.Single(_sink.Messages).Message);
        Assert.Equal(1, _tcp.Counters.Duplicates);
    }

    [Fact]
    public void A_missing_segment_drops_the_message_and_never_reads_its_middle_as_one()
    {
        var framed = Frames.Framed(First);
        Feed(Isn, framed[..20]);
        Feed(Isn + 30, framed[30..]); // 20..30 never captured
        Assert.Empty(_sink.Messages);
        Assert.Equal(1, _tcp.Counters.Gaps);
        Assert.Equal(1, _tcp.Counters.NotDns);
        Assert.Equal(0, _tcp.BufferedBytes);
        // The next answer on the connection starts a message again.
        Feed(Isn + (uint)framed.Length, Frames.Framed(Second));
        Assert.Equal(Second, Assert.Single(_sink.Messages).Message);
    }

    [Fact]
    public void Flows_are_kept_apart()
    {
        var a = Frames.Framed(First);
        var b = Frames.Framed(Second);
        Feed(100, a[..7]);
        Feed(5000, b[..9], flow: OtherFlow);
        Feed(107, a[7..]);
        Feed(5009, b[9..], flow: OtherFlow);
        Assert.Equal([(Flow, First), (OtherFlow, Second)], _sink.Messages.Select(m => (m.Flow, m.Message)));
    }

    [Fact]
    public void A_SYN_ACK_starts_the_stream_afresh()
    {
        var framed = Frames.Framed(First);
        Feed(Isn, framed[..20]);
        Feed(7000, [], TcpFlags.Syn | TcpFlags.Ack); // a new connection on the same ports
        Assert.Equal(0, _tcp.BufferedBytes);
        Feed(7001, Frames.Framed(Second));
        Assert.Equal(Second, Assert.Single(_sink.Messages).Message);
        Assert.Equal(1, _tcp.Counters.Incomplete);
    }

    [Fact]
    public void FIN_or_RST_in_the_middle_of_a_message_ends_the_flow()
    {
        var framed = Frames.Framed(First);
        Feed(Isn, framed[..20]);
        Feed(Isn + 20, framed[20..30], TcpFlags.Ack | TcpFlags.Fin);
        Assert.Equal(0, _tcp.FlowCount);
        Feed(Isn, framed[..20]);
        Feed(Isn + 20, [], TcpFlags.Rst);
        Assert.Equal(0, _tcp.FlowCount);
        Assert.Equal(2, _tcp.Counters.Incomplete);
        Assert.Empty(_sink.Messages);
    }

    [Theory]
    [InlineData(new byte[] { 0, 11 })]                        // shorter than a DNS header
    [InlineData(new byte[] { 0, 40, 0, 1, 0x01, 0x00 })]      // QR clear: a query
    [InlineData(new byte[] { 0, 40, 0, 1, 0x80 | 0x28, 0x00 })] // opcode UPDATE
    [InlineData(new byte[] { 0, 40, 0, 1, 0x81, 0x80, 0, 2 })] // two questions
    public void Bytes_that_cannot_start_an_answer_are_not_followed(byte[] start)
    {
        Feed(Isn, start);
        Assert.Equal(0, _tcp.BufferedBytes);
        Assert.Equal(1, _tcp.Counters.NotDns);
    }

    [Fact]
    public void The_least_recently_seen_flow_makes_room()
    {
        using var tcp = new TcpDnsReassembler(new TcpReassemblyLimits { MaxFlows = 2 });
        var framed = Frames.Framed(First);
        for (ushort port = 1; port <= 3; port++)
            tcp.Feed(Flow with { ClientPort = port }, Isn, TcpFlags.Ack, framed.AsSpan(0, 10), port, _sink);
        Assert.Equal(2, tcp.FlowCount);
        Assert.Equal(1, tcp.Counters.Evicted);
        // Port 1 was dropped: its rest is read as the start of a message, which it cannot be.
        Assert.Equal(1, tcp.Counters.Evicted);
        tcp.Feed(Flow with { ClientPort = 1 }, Isn + 10, TcpFlags.Ack, framed.AsSpan(10), 4, _sink);
        tcp.Feed(Flow with { ClientPort = 3 }, Isn + 10, TcpFlags.Ack, framed.AsSpan(10), 4, _sink);
        var (flow, message, _) = Assert.Single(_sink.Messages);
        Assert.Equal(3, flow.ClientPort);
        Assert.Equal(First, message);
    }

    [Fact]
    public void Buffered_bytes_stay_within_the_budget()
    {
        var big = Frames.Framed(Answers.Large(3000));
        using var tcp = new TcpDnsReassembler(new TcpReassemblyLimits { MaxBufferedBytes = 10_000 });
        for (ushort port = 1; port <= 10; port++)
        {
            tcp.Feed(Flow with { ClientPort = port }, Isn, TcpFlags.Ack, big.AsSpan(0, 100), port, _sink);
            Assert.InRange(tcp.BufferedBytes, 0, 10_000);
        }
        Assert.True(tcp.Counters.Evicted > 0);
    }

    [Fact]
    public void A_message_larger_than_the_limit_is_skipped_by_its_length()
    {
        using var tcp = new TcpDnsReassembler(new TcpReassemblyLimits { MaxMessageBytes = 512 });
        var stream = (byte[])[.. Frames.Framed(Answers.Large(2000)), .. Frames.Framed(First), .. Frames.Framed(Answers.Large(1000))];
        for (int offset = 0; offset < stream.Length; offset += 300)
            tcp.Feed(Flow, Isn + (uint)offset, TcpFlags.Ack, stream.AsSpan(offset, Math.Min(300, stream.Length - offset)), 0, _sink);
        Assert.Equal(First, Assert.Single(_sink.Messages).Message);
        Assert.Equal(2, tcp.Counters.Skipped);
        Assert.Equal(0, tcp.BufferedBytes);
        Assert.Equal(0, tcp.Counters.NotDns);
    }

    [Fact]
    public void Idle_flows_expire()
    {
        using var tcp = new TcpDnsReassembler(new TcpReassemblyLimits { FlowTimeout = TimeSpan.FromSeconds(5) });
        var framed = Frames.Framed(First);
        tcp.Feed(Flow, Isn, TcpFlags.Ack, framed.AsSpan(0, 10), 1_000, _sink);
        tcp.Feed(OtherFlow, Isn, TcpFlags.Ack, framed.AsSpan(0, 10), 4_000, _sink);
        tcp.Expire(6_500);
        Assert.Equal(1, tcp.FlowCount);
        tcp.Expire(9_000);
        Assert.Equal(0, tcp.FlowCount);
        Assert.Equal(2, tcp.Counters.Expired);
        Assert.Equal(0, tcp.BufferedBytes);
    }

    [Fact]
    public void Limits_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpDnsReassembler(new TcpReassemblyLimits { MaxFlows = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpDnsReassembler(new TcpReassemblyLimits { MaxMessageBytes = 70_000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpDnsReassembler(new TcpReassemblyLimits { FlowTimeout = TimeSpan.Zero }));
    }
}
