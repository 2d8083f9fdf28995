using System.Diagnostics;

namespace Steer.Resolver;

/// <summary>
/// A lock-free latency histogram: 1 µs buckets up to 1 ms, 100 µs buckets up to 100 ms, and one
/// for the rest. Recording is one Interlocked increment, no allocation.
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
                return i < Fine ? i + 1 : Fine + (i - Fine + 1) * 100.0;
        }
        return double.PositiveInfinity;
    }
}
