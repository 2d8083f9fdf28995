using System.Diagnostics;

namespace Steer.Resolver;

/// <summary>
/// A lock-free latency histogram: 1 µs buckets up to 1 ms, 100 µs buckets up to 100 ms, and one
/// for the rest. Recording is one Interlocked increment, no allocation. Counts are cumulative
/// since start: a reader that wants one phase (bench/resolver) diffs two <see cref="Summary"/>
/// bucket lists.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Fine = 1000, Coarse = 1000;
    private readonly long[] _buckets = new long[Fine + Coarse + 1];

    public long Count
    {
        get
        {
            long n = 0;
            foreach (ref readonly var b in _buckets.AsSpan())
                n += Volatile.Read(in b);
            return n;
        }
    }

    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp));

    public void Record(TimeSpan elapsed)
    {
        long micros = (long)elapsed.TotalMicroseconds;
        int bucket = micros < Fine ? (int)micros : micros < Fine + Coarse * 100L ? Fine + (int)((micros - Fine) / 100) : Fine + Coarse;
        Interlocked.Increment(ref _buckets[bucket]);
    }

    /// <summary>The upper edge of the bucket holding the given fraction of samples (0 when empty).</summary>
    public double PercentileMicros(double fraction)
    {
        long total = Count;
        if (total == 0)
            return 0;
        long wanted = (long)Math.Ceiling(total * fraction), seen = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += Volatile.Read(ref _buckets[i]);
            if (seen >= wanted)
                return UpperEdge(i);
        }
        return double.PositiveInfinity;
    }

    /// <summary>Count, p50/p99/p99.9 and the non-empty buckets, as `steer status --json` shows them.</summary>
    public LatencySummary Summary()
    {
        var buckets = new List<LatencyBucket>();
        for (int i = 0; i < _buckets.Length; i++)
            if (Volatile.Read(ref _buckets[i]) is var n and > 0)
                buckets.Add(new LatencyBucket(UpperEdge(i), n));
        return new LatencySummary(Count, PercentileMicros(0.50), PercentileMicros(0.99), PercentileMicros(0.999), buckets);
    }

    // The last bucket has no upper edge: infinity, written as -1 in JSON (it cannot hold infinity).
    private static double UpperEdge(int i) => i < Fine ? i + 1 : i < Fine + Coarse ? Fine + (i - Fine + 1) * 100.0 : -1;
}

/// <summary>A histogram at one moment. Percentiles are bucket upper edges (1 µs resolution up to
/// 1 ms); -1 means beyond 100 ms.</summary>
/// <param name="Buckets">Non-empty buckets, by upper edge (µs), cumulative since the daemon started.</param>
public sealed record LatencySummary(long Count, double P50Micros, double P99Micros, double P999Micros, IReadOnlyList<LatencyBucket> Buckets);

/// <summary>Samples that took less than <paramref name="UpToMicros"/> (and at least the edge below).</summary>
public sealed record LatencyBucket(double UpToMicros, long Count);
