namespace Steer.Bench.Connect;

/// <summary>The median and spread of a set of samples. Medians, not means: on a shared machine a
/// round that lost its core to another process is an outlier to ignore, not to average in.</summary>
internal sealed record Statistics(double Median, double P25, double P75, double Min, double Max, int Count)
{
    public static Statistics Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
            throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        return new Statistics(Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75), sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>Linear interpolation between the closest ranks (the common "type 7" definition).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}
