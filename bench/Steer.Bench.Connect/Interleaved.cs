namespace Steer.Bench.Connect;

/// <summary>Samples of the two variants of one case, taken in alternation: the i-th of each were
/// measured one right after the other.</summary>
internal sealed record Paired<T>(IReadOnlyList<T> Baseline, IReadOnlyList<T> Steered)
{
    /// <summary>One figure of each sample, pair by pair.</summary>
    public Paired<double> Select(Func<T, double> figure) => new([.. Baseline.Select(figure)], [.. Steered.Select(figure)]);
}

internal static class PairedRatios
{
    /// <summary>Steered over baseline, round by round: the spread of the ratio itself.</summary>
    public static IReadOnlyList<double> Ratios(this Paired<double> samples) =>
        [.. samples.Baseline.Zip(samples.Steered, (b, s) => s / b)];
}

/// <summary>
/// Alternates rounds between a baseline and a steered measurement: A B, B A, A B, … Alternation
/// puts both variants under the same machine load (other builds, frequency changes), and
/// swapping the order in every other pair cancels any advantage of going first or second.
/// </summary>
internal static class Interleaved
{
    public static Paired<T> Run<T>(Func<T> baseline, Func<T> steered, int warmup, int rounds)
    {
        for (var i = 0; i < warmup; i++)
        {
            baseline();
            steered();
        }
        var a = new List<T>(rounds);
        var b = new List<T>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            if (i % 2 == 0)
            {
                a.Add(baseline());
                b.Add(steered());
            }
            else
            {
                b.Add(steered());
                a.Add(baseline());
            }
        }
        return new Paired<T>(a, b);
    }
}
