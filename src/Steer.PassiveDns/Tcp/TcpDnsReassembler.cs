using System.Buffers;
using System.Buffers.Binary;
using Steer.Dns;
using Steer.PassiveDns.Packets;

namespace Steer.PassiveDns.Tcp;

/// <summary>
/// Takes DNS messages out of the server-to-client side of TCP connections as their segments are
/// captured: each message is a 2-byte length and that many bytes (RFC 7766 §8).
/// </summary>
/// <remarks>
/// <para>Best effort, and cheap on purpose. A flow remembers the next sequence number it expects;
/// it holds bytes only while a message is split across segments, and then at most that one
/// message. A message that lies whole in a segment is read in place. A retransmitted or
/// overlapping segment adds only its new bytes. A missing segment (a gap: lost by the capture, or
/// reordered) drops what the flow held, and the segment after it is read as if it began a message —
/// it must look like one (<see cref="CouldStartMessage"/>) or the rest of that segment is ignored. So a capture that loses a segment loses that message, and never turns
/// the middle of one into an answer.</para>
/// <para>A message longer than <see cref="TcpReassemblyLimits.MaxMessageBytes"/>, or one that would
/// break the byte budget, is skipped by its length, and the messages after it are still read.</para>
/// <para>Bounded by <see cref="TcpReassemblyLimits"/>: flows are kept least recently seen first,
/// dropped from that end when there are too many or their bytes exceed the budget, and dropped
/// after the timeout; FIN and RST end them.</para>
/// <para>One thread feeds it. Buffers come from <see cref="ArrayPool{T}.Shared"/> and go back when
/// a message completes or a flow ends, and on <see cref="Dispose"/>.</para>
/// </remarks>
public sealed class TcpDnsReassembler : IDisposable
{
    // Length prefix, then the DNS header's ID, flags and QDCOUNT: enough to judge a frame.
    private const int HeadLength = DnsTcpFraming.PrefixLength + 6;

    private readonly TcpReassemblyLimits _limits;
    private readonly long _timeoutMilliseconds;
    private readonly Dictionary<TcpFlowKey, Flow> _flows = [];
    // Least recently seen first.
    private readonly LinkedList<Flow> _recency = new();

    public TcpDnsReassembler(TcpReassemblyLimits? limits = null)
    {
        _limits = limits ?? TcpReassemblyLimits.Default;
        _limits.Validate();
        _timeoutMilliseconds = (long)_limits.FlowTimeout.TotalMilliseconds;
    }

    public TcpReassemblyCounters Counters { get; } = new();

    /// <summary>Connections followed right now.</summary>
    public int FlowCount => _flows.Count;

    /// <summary>Bytes held by all flows (the sizes of their buffers).</summary>
    public int BufferedBytes { get; private set; }

    /// <summary>
    /// Feeds one segment the server sent (its sequence number, flags and payload); messages it
    /// completes go to <paramref name="sink"/> before this returns.
    /// </summary>
    /// <param name="nowMilliseconds">A monotonic clock (<see cref="Environment.TickCount64"/>), for the timeout.</param>
    public void Feed(in TcpFlowKey key, uint sequence, TcpFlags flags, ReadOnlySpan<byte> payload, long nowMilliseconds, ITcpDnsMessageSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _flows.TryGetValue(key, out var flow);
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (flow is not null)
                End(flow);
            return;
        }
        if ((flags & TcpFlags.Syn) != 0)
        {
            // A SYN-ACK starts the stream afresh; the SYN takes one sequence number.
            if (flow is not null)
                End(flow);
            sequence++;
            flow = Start(key, sequence, nowMilliseconds);
        }
        if (flow is null)
        {
            if (payload.IsEmpty)
                return;
            flow = Start(key, sequence, nowMilliseconds);
        }
        Touch(flow, nowMilliseconds);

        int ahead = (int)(sequence - flow.NextSequence); // serial number arithmetic: wraps correctly
        if (ahead < 0)
        {
            if (-ahead >= payload.Length)
            {
                if (!payload.IsEmpty)
                    Counters._duplicates++;
                EndOnFin(flow, flags);
                return;
            }
            payload = payload[-ahead..]; // an overlap: only the new bytes count
            sequence = flow.NextSequence;
        }
        else if (ahead > 0 && !payload.IsEmpty)
        {
            Counters._gaps++;
            ResetFraming(flow);
        }
        flow.NextSequence = sequence + (uint)payload.Length;
        Consume(flow, payload, sink);
        EndOnFin(flow, flags);
    }

    /// <summary>Drops flows not seen for <see cref="TcpReassemblyLimits.FlowTimeout"/>.</summary>
    public void Expire(long nowMilliseconds)
    {
        while (_recency.First is { } oldest && nowMilliseconds - oldest.Value.LastSeen >= _timeoutMilliseconds)
        {
            if (oldest.Value.IsInsideMessage)
                Counters._expired++;
            End(oldest.Value, counted: false);
        }
    }

    public void Dispose()
    {
        while (_recency.First is { } oldest)
            End(oldest.Value, counted: false);
    }

    /// <summary>Reads the flow's next bytes, in order: messages whole in them in place, the rest
    /// into the flow's buffer, and frames too large to hold skipped by their length.</summary>
    private void Consume(Flow flow, ReadOnlySpan<byte> data, ITcpDnsMessageSink sink)
    {
        while (!data.IsEmpty)
        {
            if (flow.SkipRemaining > 0)
            {
                int skipped = Math.Min(flow.SkipRemaining, data.Length);
                flow.SkipRemaining -= skipped;
                data = data[skipped..];
                continue;
            }
            if (flow.Count == 0)
            {
                if (!CouldStartMessage(data))
                {
                    LoseFraming(flow);
                    return;
                }
                if (DnsTcpFraming.TryReadFrame(data, out var message, out int consumed))
                {
                    if (message.Length <= _limits.MaxMessageBytes)
                        sink.OnMessage(flow.Key, message, reassembled: false);
                    else
                        Counters._skipped++;
                    data = data[consumed..];
                    continue;
                }
            }
            data = Accumulate(flow, data, sink);
        }
    }

    /// <summary>Adds to the flow's partial frame the bytes it still needs (or all there are);
    /// sends the message on once whole. Returns the bytes after it.</summary>
    private ReadOnlySpan<byte> Accumulate(Flow flow, ReadOnlySpan<byte> data, ITcpDnsMessageSink sink)
    {
        // Until the header's first bytes are in, take only those: they decide the rest.
        int wanted = flow.Count < HeadLength ? HeadLength : DnsTcpFraming.FrameLength(flow.Buffer.AsSpan(0, flow.Count));
        int take = Math.Min(wanted - flow.Count, data.Length);
        if (flow.Count < HeadLength)
        {
            Span<byte> head = stackalloc byte[HeadLength];
            flow.Buffer.AsSpan(0, flow.Count).CopyTo(head);
            data[..take].CopyTo(head[flow.Count..]);
            int known = flow.Count + take;
            if (!CouldStartMessage(head[..known]))
            {
                LoseFraming(flow);
                return default;
            }
            if (known >= DnsTcpFraming.PrefixLength)
            {
                int frame = DnsTcpFraming.FrameLength(head);
                // Past the header now, the whole frame is wanted; skip it if it cannot be held.
                take = Math.Min(frame - flow.Count, data.Length);
                if (frame - DnsTcpFraming.PrefixLength > _limits.MaxMessageBytes || !Reserve(flow, frame))
                {
                    Counters._skipped++;
                    flow.SkipRemaining = frame - flow.Count;
                    Release(flow);
                    return data;
                }
            }
            else if (!Reserve(flow, HeadLength))
            {
                LoseFraming(flow);
                return default;
            }
        }
        data[..take].CopyTo(flow.Buffer.AsSpan(flow.Count));
        flow.Count += take;
        data = data[take..];
        if (flow.Count >= DnsTcpFraming.PrefixLength && flow.Count == DnsTcpFraming.FrameLength(flow.Buffer.AsSpan(0, flow.Count)))
        {
            Counters._reassembled++;
            sink.OnMessage(flow.Key, flow.Buffer.AsSpan(DnsTcpFraming.PrefixLength, flow.Count - DnsTcpFraming.PrefixLength), reassembled: true);
            Release(flow);
        }
        return data;
    }

    /// <summary>
    /// Could a DNS answer's frame begin with these bytes (as many as have arrived)? Its length
    /// must hold a header, and the header must say QR=1, opcode QUERY and one question, as every
    /// answer to a standard query does. Read at a random position, that passes about once in two
    /// million.
    /// </summary>
    private static bool CouldStartMessage(ReadOnlySpan<byte> frame)
    {
        const int FlagsByte = DnsTcpFraming.PrefixLength + 2, QuestionCount = DnsTcpFraming.PrefixLength + 4;
        if (frame.Length >= DnsTcpFraming.PrefixLength && BinaryPrimitives.ReadUInt16BigEndian(frame) < DnsHeader.Size)
            return false;
        if (frame.Length > FlagsByte && (frame[FlagsByte] & 0xF8) != 0x80)
            return false;
        return frame.Length < QuestionCount + 2 || BinaryPrimitives.ReadUInt16BigEndian(frame[QuestionCount..]) == 1;
    }

    /// <summary>Makes the flow's buffer hold <paramref name="capacity"/> bytes, dropping the flows
    /// seen longest ago if the budget needs it; false if even that is not enough.</summary>
    private bool Reserve(Flow flow, int capacity)
    {
        if (flow.Buffer.Length >= capacity)
            return true;
        // The pool rounds sizes up: the budget counts what is really held.
        var bigger = ArrayPool<byte>.Shared.Rent(capacity);
        int growth = bigger.Length - flow.Buffer.Length;
        while (BufferedBytes + growth > _limits.MaxBufferedBytes && OldestHolding(flow) is { } oldest)
            End(oldest, counted: true);
        if (BufferedBytes + growth > _limits.MaxBufferedBytes)
        {
            ArrayPool<byte>.Shared.Return(bigger);
            return false;
        }
        flow.Buffer.AsSpan(0, flow.Count).CopyTo(bigger);
        ReturnBuffer(flow);
        flow.Buffer = bigger;
        BufferedBytes += bigger.Length;
        return true;
    }

    private Flow? OldestHolding(Flow except)
    {
        for (var node = _recency.First; node is not null; node = node.Next)
        {
            if (node.Value != except && node.Value.Buffer.Length > 0)
                return node.Value;
        }
        return null;
    }

    private Flow Start(in TcpFlowKey key, uint nextSequence, long now)
    {
        while (_flows.Count >= _limits.MaxFlows && _recency.First is { } oldest)
            End(oldest.Value, counted: true);
        var flow = new Flow(key) { NextSequence = nextSequence, LastSeen = now };
        flow.Node = _recency.AddLast(flow);
        _flows.Add(key, flow);
        return flow;
    }

    private void Touch(Flow flow, long now)
    {
        flow.LastSeen = now;
        _recency.Remove(flow.Node!);
        _recency.AddLast(flow.Node!);
    }

    private void EndOnFin(Flow flow, TcpFlags flags)
    {
        if ((flags & TcpFlags.Fin) != 0)
            End(flow);
    }

    /// <summary>The connection ended (FIN, RST, a new SYN-ACK); a message cut short is counted.</summary>
    private void End(Flow flow)
    {
        if (flow.IsInsideMessage)
            Counters._incomplete++;
        End(flow, counted: false);
    }

    /// <param name="counted">Dropped to stay within the limits: counted as evicted if it held part of a message.</param>
    private void End(Flow flow, bool counted)
    {
        if (!_flows.Remove(flow.Key))
            return;
        if (counted && flow.IsInsideMessage)
            Counters._evicted++;
        _recency.Remove(flow.Node!);
        Release(flow);
        flow.SkipRemaining = 0;
    }

    /// <summary>After a gap: forget the partial message; the next bytes are judged afresh.</summary>
    private void ResetFraming(Flow flow)
    {
        Release(flow);
        flow.SkipRemaining = 0;
    }

    /// <summary>Bytes that cannot start an answer came where one should: the rest of the segment
    /// is ignored, and the next one judged afresh (a server usually writes each answer with one send,
    /// so segments tend to begin at messages).</summary>
    private void LoseFraming(Flow flow)
    {
        Counters._notDns++;
        Release(flow);
    }

    /// <summary>Empties the partial frame and gives its buffer back.</summary>
    private void Release(Flow flow)
    {
        flow.Count = 0;
        ReturnBuffer(flow);
    }

    private void ReturnBuffer(Flow flow)
    {
        if (flow.Buffer.Length == 0)
            return;
        BufferedBytes -= flow.Buffer.Length;
        ArrayPool<byte>.Shared.Return(flow.Buffer);
        flow.Buffer = [];
    }

    private sealed class Flow(TcpFlowKey key)
    {
        public TcpFlowKey Key { get; } = key;
        public LinkedListNode<Flow>? Node;
        public byte[] Buffer = [];
        /// <summary>Bytes of the current partial frame (prefix included) in <see cref="Buffer"/>.</summary>
        public int Count;
        /// <summary>Bytes still to pass over of a frame too large to hold.</summary>
        public int SkipRemaining;
        public uint NextSequence;
        public long LastSeen;

        public bool IsInsideMessage => Count > 0 || SkipRemaining > 0;
    }
}
