namespace Steer.Resolver;

/// <summary>The resolver's limits, named and documented (docs/domain-routing.md, "Resolver").</summary>
public sealed record ResolverOptions
{
    public static ResolverOptions Default { get; } = new();

    /// <summary>UDP worker threads, each with its own SO_REUSEPORT socket; the kernel spreads
    /// clients over them by flow hash. Default: one per CPU.</summary>
    public int UdpWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>UDP workers take and send up to 32 datagrams per system call (recvmmsg/sendmmsg).
    /// Off: one recvfrom and one sendto per query.</summary>
    public bool BatchedUdp { get; init; } = true;

    /// <summary>How long one upstream gets to answer before the next is tried.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Upstream attempts per query at least (more when a tag has more upstreams, so
    /// each is tried once); with a single upstream, a lost datagram is retried.</summary>
    public int MinAttempts { get; init; } = 2;

    /// <summary>UDP sockets per upstream, each with its own random source port; queries pick one
    /// at random, so a spoofer must guess port and ID (RFC 5452 §9.2).</summary>
    public int SocketsPerUpstream { get; init; } = 4;

    /// <summary>A socket to an upstream is replaced after this many queries: its port does not
    /// stay guessable for long.</summary>
    public int QueriesPerUpstreamSocket { get; init; } = 50_000;

    /// <summary>TTL cap for cached answers (RFC 8767 suggests a week at most; a day is plenty here).</summary>
    public uint MaxCacheTtl { get; init; } = 86_400;

    /// <summary>A cache hit has its decisions rewritten (in the background: the ones written at
    /// store time already cover the TTL it hands out) when they are older than this: they stay
    /// fresh (an interface re-created gets its new index) at the cost of one map update per
    /// cached name per interval, not one per query.</summary>
    public TimeSpan DecisionRefresh { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Refusals (reject rules) are remembered this long, so a rejected name costs no
    /// rule lookup on every query.</summary>
    public TimeSpan RefusalTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Client TCP connections served at once; more are closed at accept.</summary>
    public int MaxTcpClients { get; init; } = 512;

    /// <summary>A client TCP connection idle this long is closed (RFC 7766 §6.2.3).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(UdpWorkers, nameof(UdpWorkers));
        ArgumentOutOfRangeException.ThrowIfLessThan(UpstreamTimeout, TimeSpan.FromMilliseconds(10), nameof(UpstreamTimeout));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinAttempts, nameof(MinAttempts));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SocketsPerUpstream, nameof(SocketsPerUpstream));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(QueriesPerUpstreamSocket, nameof(QueriesPerUpstreamSocket));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTcpClients, nameof(MaxTcpClients));
    }
}
