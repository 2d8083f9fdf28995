using System.Net;
using Steer.Dns;
using Steer.PassiveDns.Packets;

namespace Steer.PassiveDns;

/// <summary>Which way a captured answer was going through the interface.</summary>
public enum CaptureDirection : byte
{
    /// <summary>Arriving (PACKET_HOST): an answer from a resolver elsewhere, to this host or to a
    /// host it routes for.</summary>
    Incoming,
    /// <summary>Leaving (PACKET_OUTGOING): an answer this host sends or forwards out.</summary>
    Outgoing,
}

/// <summary>
/// A DNS answer seen on an interface: a response (QR=1, opcode QUERY, NOERROR) with at least one
/// A or AAAA address for a name of its CNAME chain.
/// </summary>
/// <param name="InterfaceIndex">The interface it was seen on, in the listener's network namespace.</param>
/// <param name="Question">The name asked (the first question).</param>
/// <param name="ChainNames">The question first, then every CNAME target reached (domain rules match each of them).</param>
/// <param name="Addresses">A/AAAA addresses of the names the chain ends in, each with its owner and TTL, in answer order.</param>
/// <param name="Server">Where the answer came from (port 53).</param>
/// <param name="Client">Where it was going: the asking program's address and port.</param>
/// <param name="Reassembled">Over TCP, the message was split across segments and put back together.</param>
public sealed record DnsAnswerSeen(
    int InterfaceIndex,
    CaptureDirection Direction,
    DnsTransport Transport,
    DnsName Question,
    DnsType QuestionType,
    IReadOnlyList<DnsName> ChainNames,
    IReadOnlyList<DnsChainAddress> Addresses,
    IPEndPoint Server,
    IPEndPoint Client,
    bool Reassembled = false)
{
    public override string ToString() =>
        $"{Question} {QuestionType} -> {string.Join(", ", Addresses.Select(a => $"{a.Address} ({a.Ttl}s)"))} from {Server} to {Client} via ifindex {InterfaceIndex} ({Direction}, {Transport})";
}
