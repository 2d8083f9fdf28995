namespace Steer.PassiveDns;

/// <summary>
/// What passive DNS saw, since it started. In a healthy capture <see cref="NotDns"/> stays 0 (the
/// kernel filter keeps everything else out) and <see cref="KernelDrops"/> stays 0 (the reader
/// keeps up).
/// </summary>
/// <param name="Packets">Packets that reached user space.</param>
/// <param name="Answers">Answers reported (<see cref="DnsAnswerSeen"/>).</param>
/// <param name="NotAnswers">Well-formed DNS messages that were not reportable answers: queries,
/// error codes (NXDOMAIN, SERVFAIL...), or no A/AAAA address in the chain.</param>
/// <param name="Malformed">Packets or DNS messages that failed to parse (bad headers, truncated, rejected by the codec).</param>
/// <param name="NotDns">Packets that reached user space without being UDP or TCP from port 53.</param>
/// <param name="Fragmented">Fragmented UDP answers: only the first fragment is seen and they are not reassembled.</param>
/// <param name="TooLong">Packets longer than the receive buffer, cut by the kernel, dropped.</param>
/// <param name="TcpReassembled">Answers over TCP split across segments and put back together.</param>
/// <param name="TcpGaps">TCP flows given up because a segment was missing.</param>
/// <param name="TcpEvicted">TCP flows given up to stay within the reassembly limits (count, bytes, time).</param>
/// <param name="KernelPackets">Packets the socket filter let through, as the kernel counts them (PACKET_STATISTICS).</param>
/// <param name="KernelDrops">Of those, packets dropped because the receive queue was full.</param>
/// <param name="CallbackFailures">Times the answer callback threw (the exception is swallowed; the listener goes on).</param>
public sealed record PassiveDnsCounters(
    long Packets,
    long Answers,
    long NotAnswers,
    long Malformed,
    long NotDns,
    long Fragmented,
    long TooLong,
    long TcpReassembled,
    long TcpGaps,
    long TcpEvicted,
    long KernelPackets,
    long KernelDrops,
    long CallbackFailures);
