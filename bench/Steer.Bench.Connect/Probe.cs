using System.Globalization;

namespace Steer.Bench.Connect;

/// <summary>One benchmark case: rounds of <see cref="Operations"/> × socket()+connect()+close() of
/// <see cref="Protocol"/> ("udp" or "tcp") to <see cref="Address"/>:<see cref="Port"/>, timed in
/// batches of <see cref="Batch"/> operations.</summary>
internal sealed record Probe(string Protocol, string Address, int Port, int Operations, int Batch)
{
    public string Name => $"{Protocol}{(Address.Contains(':', StringComparison.Ordinal) ? '6' : '4')} connect+close";

    /// <summary>The request line of the worker's loop mode.</summary>
    public string RequestLine => string.Create(CultureInfo.InvariantCulture, $"{Protocol} {Address} {Port} {Operations} {Batch}");
}

/// <summary>What one round measured, in ns per operation: the median over its batches (the cost
/// of the operation, free of the time a preempted batch waited for a core) and the plain mean.</summary>
internal readonly record struct Round(double BatchMedian, double Mean)
{
    /// <summary>Parses the worker's "MEDIAN MEAN" answer.</summary>
    public static Round? TryParse(string line)
    {
        var parts = line.Split(' ');
        return parts.Length == 2
               && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var median)
               && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var mean)
            ? new Round(median, mean)
            : null;
    }
}
