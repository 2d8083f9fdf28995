using FsCheck;
using FsCheck.Fluent;
using Steer.PassiveDns.Tcp;

namespace Steer.PassiveDns.Tests;

public class TcpReassemblerPropertyTests
{
    private static readonly TcpFlowKey Flow = new(2, DnsAddress.Parse("2001:db8::53"), 53, DnsAddress.Parse("2001:db8::7"), 41000);

    /// <summary>A stream of answers; the segments it is sent as (offset, length), in order but
    /// with retransmissions and overlaps mixed in; and the first sequence number.</summary>
    private sealed record Stream(byte[][] Messages, (int Offset, int Length)[] Segments, uint Isn)
    {
        public byte[] Bytes { get; } = [.. Messages.SelectMany(Frames.Framed)];

        public override string ToString() =>
            $"{Messages.Length} messages ({string.Join(",", Messages.Select(m => m.Length))}), isn {Isn}, segments {string.Join(" ", Segments.Select(s => $"{s.Offset}+{s.Length}"))}";
    }

    private static readonly Gen<byte[]> Message = Gen.OneOf(
        Gen.Choose(1, 4).Select(n => Answers.For("x.example", [.. Enumerable.Range(1, n).Select(i => $"203.0.113.{i}")])),
        Gen.Choose(100, 4000).Select(Answers.Large));

    private static Gen<(int, int)[]> Segmentation(int length) =>
        Gen.Choose(1, 1500).ArrayOf(length).Select(sizes =>
        {
            var segments = new List<(int, int)>();
            int offset = 0;
            foreach (int size in sizes)
            {
                if (offset >= length)
                    break;
                int take = Math.Min(size, length - offset);
                segments.Add((offset, take));
                offset += take;
            }
            return segments.ToArray();
        });

    /// <summary>Every segment, and now and then an earlier range again (a retransmission or an overlap).</summary>
    private static Gen<(int, int)[]> WithRepeats((int Offset, int Length)[] segments) =>
        Gen.Choose(0, 5).ArrayOf(segments.Length).SelectMany(dice =>
            Gen.Choose(0, int.MaxValue).ArrayOf(segments.Length).Select(randoms =>
            {
                var fed = new List<(int, int)>();
                for (int i = 0; i < segments.Length; i++)
                {
                    fed.Add(segments[i]);
                    if (dice[i] == 0) // resend something already sent, ending anywhere up to the data so far
                    {
                        int end = segments[i].Offset + segments[i].Length;
                        int start = randoms[i] % end;
                        fed.Add((start, 1 + randoms[i] / 7 % (end - start)));
                    }
                }
                return fed.ToArray();
            }));

    private static readonly Gen<Stream> Streams =
        from messages in Gen.Choose(1, 5).SelectMany(n => Message.ArrayOf(n))
        let length = messages.Sum(m => m.Length + 2)
        from segments in Segmentation(length).SelectMany(WithRepeats)
        from isn in Gen.Choose(int.MinValue, int.MaxValue).Select(i => (uint)i)
        select new Stream(messages, segments, isn);

    [Fact]
    public void A_stream_cut_anywhere_and_partly_resent_gives_back_exactly_its_messages() =>
        Check.One(PacketGenerators.Config.WithMaxTest(500), Prop.ForAll(Streams.ToArbitrary(), stream =>
        {
            using var tcp = new TcpDnsReassembler();
            var sink = new RecordingSink();
            foreach (var (offset, length) in stream.Segments)
                tcp.Feed(Flow, stream.Isn + (uint)offset, TcpFlags.Ack, stream.Bytes.AsSpan(offset, length), 0, sink);
            Assert.Equal(stream.Messages, sink.Messages.Select(m => m.Message));
            Assert.Equal(0, tcp.BufferedBytes);
            Assert.Equal(0, tcp.Counters.NotDns);
            Assert.Equal(0, tcp.Counters.Gaps);
        }));

    private static readonly Gen<(int Port, uint Sequence, TcpFlags Flags, byte[] Payload)> JunkSegment =
        from port in Gen.Choose(1, 12)
        from sequence in Gen.Frequency((3, Gen.Choose(0, 5000)), (1, Gen.Choose(int.MinValue, int.MaxValue))).Select(i => (uint)i)
        from flags in Gen.Frequency((6, Gen.Constant(TcpFlags.Ack)), (1, Gen.Choose(0, 0x1F).Select(i => (TcpFlags)i)))
        from payload in Gen.OneOf(
            PacketGenerators.Bytes(0, 200),
            // A plausible start: length, then an answer's flags and one question.
            from length in Gen.Choose(12, 9000) from rest in PacketGenerators.Bytes(0, 300)
            select (byte[])[(byte)(length >> 8), (byte)length, 0, 1, 0x81, 0x80, 0, 1, .. rest],
            Message.Select(m => Frames.Framed(m)[..Math.Max(1, m.Length / 3)]))
        select (port, sequence, flags, payload);

    [Fact]
    public void Any_segments_stay_within_the_limits_and_never_throw() =>
        Check.One(PacketGenerators.Config.WithMaxTest(300), Prop.ForAll(JunkSegment.ArrayOf().ToArbitrary(), segments =>
        {
            var limits = new TcpReassemblyLimits { MaxFlows = 4, MaxBufferedBytes = 16_384, FlowTimeout = TimeSpan.FromMilliseconds(50) };
            var tcp = new TcpDnsReassembler(limits);
            var sink = new RecordingSink();
            long now = 0;
            foreach (var (port, sequence, flags, payload) in segments)
            {
                tcp.Feed(Flow with { ClientPort = (ushort)port }, sequence, flags, payload, now += 7, sink);
                tcp.Expire(now);
                Assert.InRange(tcp.FlowCount, 0, limits.MaxFlows);
                Assert.InRange(tcp.BufferedBytes, 0, limits.MaxBufferedBytes);
            }
            Assert.All(sink.Messages, m => Assert.InRange(m.Message.Length, 12, 65535));
            tcp.Dispose();
            Assert.Equal(0, tcp.BufferedBytes);
        }));
}
