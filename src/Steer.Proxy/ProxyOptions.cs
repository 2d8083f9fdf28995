namespace Steer.Proxy;

/// <summary>Settings of the proxy engine that steer.yaml does not carry: marks, limits, timeouts,
/// and the switches tests use to show what the guard prevents.</summary>
public sealed record ProxyOptions
{
    /// <summary>The mark TPROXY gives intercepted packets; the fwmark rule sends them to the local table.
    /// Its bits stay clear of the route plane's conntrack-mark bits (0x00ff0000).</summary>
    public uint InterceptMark { get; init; } = 0x5300_0001;

    /// <summary>The mark on every egress socket: nftables lets these packets pass untouched.</summary>
    public uint BypassMark { get; init; } = 0x5300_0002;

    /// <summary>An established TCP flow with no byte either way for this long is reset.</summary>
    public int TcpIdleMs { get; init; } = 300_000;

    /// <summary>Once one direction has ended, the other gets this long.</summary>
    public int HalfClosedIdleMs { get; init; } = 60_000;

    /// <summary>Connecting and handshakes (SOCKS, sniffing) must finish within this.</summary>
    public int HandshakeMs { get; init; } = 10_000;

    /// <summary>How long to wait for a client's first bytes to sniff TLS SNI or HTTP Host.</summary>
    public int SniffMs { get; init; } = 300;

    /// <summary>A UDP session with no datagram either way for this long is closed.</summary>
    public int UdpIdleMs { get; init; } = 60_000;

    /// <summary>New flows per second per destination before the storm guard backs off.</summary>
    public int StormRate { get; init; } = Steer.Proxy.Guard.StormGuard.DefaultRate;

    /// <summary>Event loops (threads); 0 is one per CPU, at most 4.</summary>
    public int Loops { get; init; }

    /// <summary>Run sockets in this network namespace (tests run the engine inside a lab).</summary>
    public string? NetnsPath { get; init; }

    /// <summary>Tests only: false disables the loop guard (egress registry, own-listener check,
    /// storm guard and flow cap) to show that the setup then loops.</summary>
    public bool Guard { get; init; } = true;

    /// <summary>Tests only: false leaves egress sockets unbound and unmarked, as a proxy with a
    /// broken bypass would.</summary>
    public bool Bypass { get; init; } = true;
}
