using Steer.PassiveDns.Tcp;

namespace Steer.PassiveDns;

/// <summary>What a <see cref="PassiveDnsListener"/> captures, and its bounds.</summary>
public sealed record PassiveDnsOptions
{
    public static PassiveDnsOptions Default { get; } = new();

    /// <summary>
    /// Interfaces to capture on, by name; their indexes are taken once at start. Null (the
    /// default): every interface but lo, including those added later, through one socket.
    /// Naming lo here includes it.
    /// </summary>
    public IReadOnlyList<string>? Interfaces { get; init; }

    /// <summary>With <see cref="Interfaces"/> null, also capture on lo: answers of a resolver on
    /// this host to local programs.</summary>
    public bool IncludeLoopback { get; init; }

    /// <summary>
    /// Also capture answers this host sends (PACKET_OUTGOING): a resolver running here answering
    /// other hosts, or a router forwarding answers on. Off by default: an answer to this host
    /// arrives from outside, and a router sees a forwarded answer arrive anyway.
    /// </summary>
    public bool IncludeOutgoing { get; init; }

    /// <summary>Receive queue per socket (SO_RCVBUF; the kernel caps it at net.core.rmem_max). Answers that find it full are dropped and counted.</summary>
    public int ReceiveBufferBytes { get; init; } = 4 << 20;

    /// <summary>Packets longer than this are cut by the kernel and dropped (counted as TooLong).
    /// Covers any packet of a 64 KiB GSO/GRO aggregate.</summary>
    public int MaxPacketBytes { get; init; } = 128 * 1024;

    public TcpReassemblyLimits Tcp { get; init; } = TcpReassemblyLimits.Default;

    internal void Validate()
    {
        if (Interfaces is { Count: 0 })
            throw new ArgumentException("an empty interface list would capture nothing; leave it null for all interfaces", nameof(Interfaces));
        if (Interfaces?.Any(string.IsNullOrEmpty) == true)
            throw new ArgumentException("an interface name is empty", nameof(Interfaces));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ReceiveBufferBytes, nameof(ReceiveBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacketBytes, 1500, nameof(MaxPacketBytes));
        ArgumentNullException.ThrowIfNull(Tcp, nameof(Tcp));
        Tcp.Validate();
    }
}
