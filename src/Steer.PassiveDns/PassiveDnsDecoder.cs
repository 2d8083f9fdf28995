using System.Net;
using Steer.Dns;
using Steer.PassiveDns.Packets;
using Steer.PassiveDns.Tcp;

namespace Steer.PassiveDns;

/// <summary>
/// Turns captured packets (from the IP header on) into <see cref="DnsAnswerSeen"/> events: finds
/// the UDP or TCP payload, takes DNS messages out of TCP streams, and reads each answer's CNAME
/// chain and addresses with the codec. Pure: no I/O, no clock of its own; bad input of any kind
/// is counted and dropped, never thrown.
/// </summary>
/// <remarks>One thread calls it. Packets that are not reportable allocate nothing; an answer
/// allocates its event (names, address list, end points).</remarks>
public sealed class PassiveDnsDecoder : ITcpDnsMessageSink, IDisposable
{
    private readonly Action<DnsAnswerSeen> _onAnswer;
    private readonly TcpDnsReassembler _tcp;
    private readonly DnsAnswerChain _chain = new();
    // The packet being decoded, for messages the reassembler hands back during Process.
    private CaptureDirection _direction;
    private long _packets, _answers, _notAnswers, _malformed, _notDns, _fragmented, _callbackFailures;

    /// <param name="onAnswer">Called on the decoding thread for each answer; an exception from it is counted and swallowed.</param>
    public PassiveDnsDecoder(Action<DnsAnswerSeen> onAnswer, TcpReassemblyLimits? tcpLimits = null)
    {
        _onAnswer = onAnswer ?? throw new ArgumentNullException(nameof(onAnswer));
        _tcp = new TcpDnsReassembler(tcpLimits);
    }

    public TcpReassemblyCounters Tcp => _tcp.Counters;

    /// <summary>Decodes one packet that starts at its IP header.</summary>
    /// <param name="nowMilliseconds">A monotonic clock (<see cref="Environment.TickCount64"/>), for TCP flow timeouts.</param>
    public void Process(ReadOnlySpan<byte> packet, int interfaceIndex, CaptureDirection direction, long nowMilliseconds)
    {
        Interlocked.Increment(ref _packets);
        switch (IpPacketParser.Parse(packet, out var segment))
        {
            case PacketVerdict.DnsSegment:
                break;
            case PacketVerdict.FirstFragment:
                Interlocked.Increment(ref _fragmented);
                return;
            case PacketVerdict.Truncated or PacketVerdict.Malformed:
                Interlocked.Increment(ref _malformed);
                return;
            default:
                Interlocked.Increment(ref _notDns);
                return;
        }
        _direction = direction;
        var key = new TcpFlowKey(interfaceIndex, segment.Source, segment.SourcePort, segment.Destination, segment.DestinationPort);
        if (segment.Transport == DnsTransport.Udp)
            Decode(key, DnsTransport.Udp, segment.Payload(packet), reassembled: false);
        else
            _tcp.Feed(key, segment.TcpSequence, segment.TcpFlags, segment.Payload(packet), nowMilliseconds, this);
    }

    /// <summary>Drops TCP flows idle for longer than their timeout.</summary>
    public void Expire(long nowMilliseconds) => _tcp.Expire(nowMilliseconds);

    /// <summary>The counters so far; the kernel's figures are the caller's to add.</summary>
    public PassiveDnsCounters Snapshot(long tooLong = 0, long kernelPackets = 0, long kernelDrops = 0) => new(
        Packets: Interlocked.Read(ref _packets),
        Answers: Interlocked.Read(ref _answers),
        NotAnswers: Interlocked.Read(ref _notAnswers),
        Malformed: Interlocked.Read(ref _malformed) + _tcp.Counters.NotDns,
        NotDns: Interlocked.Read(ref _notDns),
        Fragmented: Interlocked.Read(ref _fragmented),
        TooLong: tooLong,
        TcpReassembled: _tcp.Counters.Reassembled,
        TcpGaps: _tcp.Counters.Gaps,
        TcpEvicted: _tcp.Counters.Evicted + _tcp.Counters.Expired,
        KernelPackets: kernelPackets,
        KernelDrops: kernelDrops,
        CallbackFailures: Interlocked.Read(ref _callbackFailures));

    void ITcpDnsMessageSink.OnMessage(in TcpFlowKey flow, ReadOnlySpan<byte> message, bool reassembled) =>
        Decode(flow, DnsTransport.Tcp, message, reassembled);

    public void Dispose() => _tcp.Dispose();

    private void Decode(in TcpFlowKey flow, DnsTransport transport, ReadOnlySpan<byte> message, bool reassembled)
    {
        if (!DnsMessageView.TryParse(message, out var view, out _))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        var header = view.Header;
        if (!header.IsResponse || header.Opcode != DnsOpcode.Query || view.Rcode != DnsRcode.NoError
            || !view.TryGetQuestion(out var question) || !HasAddress(view))
        {
            Interlocked.Increment(ref _notAnswers);
            return;
        }
        _chain.Read(view, question.Name.ToDnsName());
        if (_chain.Addresses.Count == 0) // addresses only for names outside the chain
        {
            Interlocked.Increment(ref _notAnswers);
            return;
        }
        var seen = new DnsAnswerSeen(
            flow.InterfaceIndex, _direction, transport,
            _chain.Names[0], question.Type, [.. _chain.Names], [.. _chain.Addresses],
            new IPEndPoint(flow.Server.ToIPAddress(), flow.ServerPort),
            new IPEndPoint(flow.Client.ToIPAddress(), flow.ClientPort),
            reassembled);
        Interlocked.Increment(ref _answers);
        try
        {
            _onAnswer(seen);
        }
        catch (Exception)
        {
            // The callback belongs to the caller; one failure must not stop the capture.
            Interlocked.Increment(ref _callbackFailures);
        }
    }

    private static bool HasAddress(DnsMessageView view)
    {
        foreach (var record in view.Answers)
        {
            if (record.TryGetAddress(out _))
                return true;
        }
        return false;
    }
}
