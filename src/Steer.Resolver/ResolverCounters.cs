namespace Steer.Resolver;

/// <summary>
/// What the resolver did, counted. Each UDP worker has its own set (no cache line shared between
/// cores on the hot path); TCP and upstream completions share one. Totals are their sum.
/// </summary>
internal sealed class ResolverCounters
{
    public long Queries;
    public long CacheHits;
    public long Forwarded;
    public long Refused;
    public long FormatErrors;
    public long NotImplemented;
    public long Dropped;
    public long ServFails;
    public long Timeouts;
    public long UpstreamRejected;
    public long TcpFallbacks;

    public static void Add(ref long counter) => Interlocked.Increment(ref counter);

    public static ResolverStats Sum(IEnumerable<ResolverCounters> sets, LatencyHistogram decide)
    {
        var s = new ResolverStats();
        foreach (var c in sets)
        {
            s = s with
            {
                Queries = s.Queries + Volatile.Read(ref c.Queries),
                CacheHits = s.CacheHits + Volatile.Read(ref c.CacheHits),
                Forwarded = s.Forwarded + Volatile.Read(ref c.Forwarded),
                Refused = s.Refused + Volatile.Read(ref c.Refused),
                FormatErrors = s.FormatErrors + Volatile.Read(ref c.FormatErrors),
                NotImplemented = s.NotImplemented + Volatile.Read(ref c.NotImplemented),
                Dropped = s.Dropped + Volatile.Read(ref c.Dropped),
                ServFails = s.ServFails + Volatile.Read(ref c.ServFails),
                Timeouts = s.Timeouts + Volatile.Read(ref c.Timeouts),
                UpstreamRejected = s.UpstreamRejected + Volatile.Read(ref c.UpstreamRejected),
                TcpFallbacks = s.TcpFallbacks + Volatile.Read(ref c.TcpFallbacks),
            };
        }
        var summary = decide.Summary();
        return s with
        {
            Decisions = summary.Count, DecideP50Micros = summary.P50Micros, DecideP99Micros = summary.P99Micros,
            DecideP999Micros = summary.P999Micros, DecideLatency = summary,
        };
    }
}

/// <summary>The resolver's counters at one moment (`steer status`).</summary>
/// <param name="Queries">Every message received from a client, well-formed or not.</param>
/// <param name="CacheHits">Answered from the cache (refusals remembered included).</param>
/// <param name="Forwarded">Sent on to an upstream (first attempts; retries are not counted again).</param>
/// <param name="Refused">REFUSED sent: a reject rule.</param>
/// <param name="FormatErrors">FORMERR sent: the query did not parse, or had no or several questions.</param>
/// <param name="NotImplemented">NOTIMP sent: an opcode other than QUERY.</param>
/// <param name="Dropped">Not answered at all: responses sent to us, fragments without an ID.</param>
/// <param name="ServFails">SERVFAIL sent by Steer: no upstream answered.</param>
/// <param name="Timeouts">Upstream attempts that timed out.</param>
/// <param name="UpstreamRejected">Upstream datagrams thrown away: unparsable, not an answer to a pending query, or not to its question.</param>
/// <param name="TcpFallbacks">Truncated upstream answers asked again over TCP.</param>
/// <param name="Decisions">Answers whose addresses were written into the kernel.</param>
/// <param name="DecideP50Micros">Median time to write an answer's decisions (µs).</param>
/// <param name="DecideP99Micros">99th percentile of the same: the latency decide-before-answer adds.</param>
/// <param name="DecideP999Micros">99.9th percentile of the same.</param>
/// <param name="DecideLatency">The whole histogram (its buckets let a reader take one phase's percentiles).</param>
/// <param name="CachedAnswers">Answers (and refusals) in the cache now.</param>
/// <param name="CachedBytes">What they count for against the budget (dns.cache-size).</param>
/// <param name="CacheBudgetBytes">dns.cache-size.</param>
public sealed record ResolverStats(
    long Queries = 0, long CacheHits = 0, long Forwarded = 0, long Refused = 0, long FormatErrors = 0,
    long NotImplemented = 0, long Dropped = 0, long ServFails = 0, long Timeouts = 0, long UpstreamRejected = 0,
    long TcpFallbacks = 0, long Decisions = 0, double DecideP50Micros = 0, double DecideP99Micros = 0,
    double DecideP999Micros = 0, LatencySummary? DecideLatency = null, long CachedAnswers = 0, long CachedBytes = 0, long CacheBudgetBytes = 0);
