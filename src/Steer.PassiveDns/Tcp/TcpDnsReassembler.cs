using System.Buffers;
using System.Buffers.Binary;
using Steer.Dns;
using Steer.PassiveDns.Packets;

namespace Steer.PassiveDns.Tcp;

/// <summary>
/// Takes DNS messages out of the server-to-client side of TCP connections, as segments are
/// captured: each message is a 2-byte length and that many bytes (RFC 7766 §8).
/// </summary>
/// <remarks>
/// <para>Best effort, and cheap on purpose. A segment that holds whole messages is read in place and
/// leaves no state. Only a message split across segments makes a flow hold bytes: the part seen so
/// far, at most one message, until the next in-order segment completes it. A retransmitted or
/// overlapping segment adds only its new bytes; a missing one (a gap) drops the flow, and the next
/// segment is read as if it began a message — it must look like one (see <see cref="CouldStartMessage"/>)
/// or it is ignored. So a capture that loses a segment loses that message, and
/// never turns the middle of one into an answer.</para>
/// <para>Bounded by <see cref="TcpReassemblyLimits"/>: flows are kept least recently seen first and
/// dropped from that end when there are too many or they hold too many bytes, and after a timeout.</para>
/// <para>One thread feeds it. Buffers come from <see cref="ArrayPool{T}.Shared"/> and go back when
/// a flow ends and on <see cref="Dispose"/>.</para>
/// </remarks>
public sealed class TcpDnsReassembler : IDisposable
{
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

    /// <summary>Flows holding part of a message right now.</summary>
    public int FlowCount => _flows.Count;

    /// <summary>Bytes held by all flows (their buffers' sizes).</summary>
    public int BufferedBytes { get; private set; }

    /// <summary>
    /// Feeds one segment the server sent (its sequence number, flags and payload); complete
    /// messages go to <paramref name="sink"/> before this returns.
    /// </summary>
    /// <param name="nowMilliseconds">A monotonic clock (<see cref="Environment.TickCount64"/>) for the timeout.</param>
    public void Feed(in TcpFlowKey key, uint sequence, TcpFlags flags, ReadOnlySpan<byte> payload, long nowMilliseconds, ITcpDnsMessageSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _flows.TryGetValue(key, out var flow);
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (flow is not null)
                End(flow, incomplete: flow.Count > 0);
            return;
        }
        if ((flags & TcpFlags.Syn) != 0)
        {
            // A SYN-ACK starts the stream afresh; its sequence number takes one place.
            if (flow is not null)
                End(flow, incomplete: flow.Count > 0);
            flow = null;
            sequence++;
        }

        if (flow is not null)
        {
            int ahead = (int)(sequence - flow.NextSequence); // serial arithmetic: wraps correctly
            if (ahead < 0)
            {
                if (-ahead >= payload.Length)
                {
                    if (!payload.IsEmpty)
                        Counters._duplicates++;
                    Touch(flow, nowMilliseconds);
                    EndOnFin(flow, flags);
                    return;
                }
                payload = payload[-ahead..]; // an overlap: only the new bytes
                sequence = flow.NextSequence;
            }
            else if (ahead > 0 && !payload.IsEmpty)
            {
                Counters._gaps++;
                End(flow, incomplete: false);
                flow = null;
            }
        }

        if (payload.IsEmpty)
        {
            if (flow is not null)
                EndOnFin(flow, flags);
            return;
        }

        if (flow is not null)
        {
            flow.NextSequence = sequence + (uint)payload.Length;
            Touch(flow, nowMilliseconds);
            payload = Complete(flow, payload, sink);
            if (flow.Count > 0) // the segment ended inside the same message
            {
                EndOnFin(flow, flags);
                return;
            }
            End(flow, incomplete: false); // at a message boundary: no state needed
            if (payload.IsEmpty)
                return;
            sequence = flow.NextSequence - (uint)payload.Length;
        }

        var rest = ReadWholeMessages(key, payload, sink);
        if (rest.IsEmpty)
            return;
        if ((flags & TcpFlags.Fin) != 0)
        {
            Counters._incomplete++;
            return;
        }
        flow = Start(key, nowMilliseconds);
        flow.NextSequence = sequence + (uint)payload.Length;
        if (!Append(flow, rest))
            End(flow, incomplete: false);
    }

    /// <summary>Drops flows not seen for <see cref="TcpReassemblyLimits.FlowTimeout"/>.</summary>
    public void Expire(long nowMilliseconds)
    {
        while (_recency.First is { } oldest && nowMilliseconds - oldest.Value.LastSeen >= _timeoutMilliseconds)
        {
            Counters._expired++;
            End(oldest.Value, incomplete: false);
        }
    }

    public void Dispose()
    {
        while (_recency.First is { } oldest)
            End(oldest.Value, incomplete: false);
    }

    /// <summary>Reads messages that lie whole in <paramref name="data"/>, which must begin at a
    /// message; returns the partial one at the end (empty if none), or empty after giving up.</summary>
    private ReadOnlySpan<byte> ReadWholeMessages(in TcpFlowKey key, ReadOnlySpan<byte> data, ITcpDnsMessageSink sink)
    {
        while (!data.IsEmpty)
        {
            if (!CouldStartMessage(data))
            {
                Counters._notDns++;
                return default;
            }
            if (!DnsTcpFraming.TryReadFrame(data, out var message, out int consumed))
                return data;
            sink.OnMessage(key, message, reassembled: false);
            data = data[consumed..];
        }
        return default;
    }

    /// <summary>Adds the bytes that complete the flow's message; sends it on if it is whole.
    /// Returns what is left of <paramref name="data"/> after that message.</summary>
    private ReadOnlySpan<byte> Complete(Flow flow, ReadOnlySpan<byte> data, ITcpDnsMessageSink sink)
    {
        int needed = flow.Count < DnsTcpFraming.PrefixLength
            ? DnsTcpFraming.PrefixLength - flow.Count
            : flow.FrameLength - flow.Count;
        int take = Math.Min(needed, data.Length);
        if (!Append(flow, data[..take]))
        {
            End(flow, incomplete: false);
            return default;
        }
        data = data[take..];
        if (flow.Count == DnsTcpFraming.PrefixLength && !data.IsEmpty)
            return Complete(flow, data, sink); // the prefix just completed: now the message itself
        if (flow.Count >= DnsTcpFraming.PrefixLength && flow.Count == flow.FrameLength)
        {
            Counters._reassembled++;
            sink.OnMessage(flow.Key, flow.Buffer.AsSpan(DnsTcpFraming.PrefixLength, flow.Count - DnsTcpFraming.PrefixLength), reassembled: true);
            flow.Count = 0;
        }
        return data;
    }

    /// <summary>Appends to the flow's message, growing its buffer to the announced frame; false
    /// (and counted) when the bytes cannot begin a DNS answer or would break a limit.</summary>
    private bool Append(Flow flow, ReadOnlySpan<byte> data)
    {
        int count = flow.Count + data.Length;
        // The frame's first bytes, whether held already or arriving now: enough to judge it.
        Span<byte> head = stackalloc byte[HeadLength];
        int known = Math.Min(HeadLength, count);
        int held = Math.Min(flow.Count, known);
        flow.Buffer.AsSpan(0, held).CopyTo(head);
        data[..(known - held)].CopyTo(head[held..]);
        if (!CouldStartMessage(head[..known]))
        {
            Counters._notDns++;
            return false;
        }
        int capacity = known >= DnsTcpFraming.PrefixLength ? DnsTcpFraming.FrameLength(head) : DnsTcpFraming.PrefixLength;
        if (flow.Buffer.Length < capacity && !Grow(flow, capacity))
            return false;
        data.CopyTo(flow.Buffer.AsSpan(flow.Count));
        flow.Count = count;
        return true;
    }

    private bool Grow(Flow flow, int capacity)
    {
        int growth = capacity - flow.Buffer.Length;
        // Make room by dropping the flows seen longest ago, never the one growing.
        while (BufferedBytes + growth > _limits.MaxBufferedBytes && _recency.First is { } oldest && oldest.Value != flow)
        {
            Counters._evicted++;
            End(oldest.Value, incomplete: false);
        }
        if (BufferedBytes + growth > _limits.MaxBufferedBytes)
        {
            Counters._evicted++;
            return false;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(capacity);
        flow.Buffer.AsSpan(0, flow.Count).CopyTo(bigger);
        Release(flow);
        flow.Buffer = bigger;
        BufferedBytes += bigger.Length;
        return true;
    }

    // Length prefix, then the DNS header's ID, flags and QDCOUNT.
    private const int HeadLength = DnsTcpFraming.PrefixLength + 6;

    /// <summary>
    /// Could a DNS answer's frame begin with these bytes (as many as have arrived)? Its length
    /// must hold a header and stay within the limit; the header must say QR=1, opcode QUERY, and
    /// one question, as every answer to a standard query does. Joining a stream mid-message, a
    /// random position passes all of that about once in two million.
    /// </summary>
    private bool CouldStartMessage(ReadOnlySpan<byte> frame)
    {
        if (frame.Length >= DnsTcpFraming.PrefixLength)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(frame);
            if (length < DnsHeader.Size || length > _limits.MaxMessageBytes)
                return false;
        }
        const int FlagsByte = DnsTcpFraming.PrefixLength + 2, QuestionCount = DnsTcpFraming.PrefixLength + 4;
        if (frame.Length > FlagsByte && (frame[FlagsByte] & 0xF8) != 0x80)
            return false;
        return frame.Length < QuestionCount + 2 || BinaryPrimitives.ReadUInt16BigEndian(frame[QuestionCount..]) == 1;
    }

    private Flow Start(in TcpFlowKey key, long now)
    {
        while (_flows.Count >= _limits.MaxFlows && _recency.First is { } oldest)
        {
            Counters._evicted++;
            End(oldest.Value, incomplete: false);
        }
        var flow = new Flow(key) { LastSeen = now };
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
            End(flow, incomplete: flow.Count > 0);
    }

    private void End(Flow flow, bool incomplete)
    {
        if (!_flows.Remove(flow.Key))
            return;
        if (incomplete)
            Counters._incomplete++;
        _recency.Remove(flow.Node!);
        Release(flow);
        flow.Count = 0;
    }

    private void Release(Flow flow)
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
        /// <summary>Bytes of the current frame (prefix included) held in <see cref="Buffer"/>.</summary>
        public int Count;
        public uint NextSequence;
        public long LastSeen;

        public int FrameLength => DnsTcpFraming.FrameLength(Buffer.AsSpan(0, Count));
    }
}
