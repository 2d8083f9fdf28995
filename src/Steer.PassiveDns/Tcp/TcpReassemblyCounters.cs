namespace Steer.PassiveDns.Tcp;

/// <summary>What <see cref="TcpDnsReassembler"/> did and gave up on, since it was made.
/// Written by the one thread that feeds it; other threads may read.</summary>
public sealed class TcpReassemblyCounters
{
    /// <summary>Messages put back together from more than one segment.</summary>
    public long Reassembled => Volatile.Read(ref _reassembled);
    internal long _reassembled;
    /// <summary>Segments already seen (retransmissions, or the same one captured twice), ignored.</summary>
    public long Duplicates => Volatile.Read(ref _duplicates);
    internal long _duplicates;
    /// <summary>Segments missing from a flow (lost by the capture, or reordered): the message in progress was dropped.</summary>
    public long Gaps => Volatile.Read(ref _gaps);
    internal long _gaps;
    /// <summary>Times bytes that could not start a DNS answer came where one should (length under 12, QR clear, not one question): the rest of that segment was ignored.</summary>
    public long NotDns => Volatile.Read(ref _notDns);
    internal long _notDns;
    /// <summary>Messages passed over by their length: over <see cref="TcpReassemblyLimits.MaxMessageBytes"/> or the byte budget.</summary>
    public long Skipped => Volatile.Read(ref _skipped);
    internal long _skipped;
    /// <summary>Flows holding part of a message dropped to stay within <see cref="TcpReassemblyLimits.MaxFlows"/> or <see cref="TcpReassemblyLimits.MaxBufferedBytes"/>.</summary>
    public long Evicted => Volatile.Read(ref _evicted);
    internal long _evicted;
    /// <summary>Flows holding part of a message dropped after <see cref="TcpReassemblyLimits.FlowTimeout"/>.</summary>
    public long Expired => Volatile.Read(ref _expired);
    internal long _expired;
    /// <summary>Flows that ended (FIN, RST) in the middle of a message.</summary>
    public long Incomplete => Volatile.Read(ref _incomplete);
    internal long _incomplete;
}
