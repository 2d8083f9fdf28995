namespace Steer.Bench.Connect;

/// <summary>Samples of the two variants of one case, taken in alternation.</summary>
internal sealed record Paired(IReadOnlyList<double> Baseline, IReadOnlyList<double> Steered)
{
    /// <summary>Steered over baseline, round by round: the spread of the ratio itself.</summary>
    public IReadOnlyList<double> Ratios => [.. Baseline.Zip(Steered, (b, s) => s / b)];
}

/// <summary>
/// Alternates rounds between a baseline and a steered measurement: A B, B A, A B, … Alternation
/// puts both variants under the same machine load (other builds, frequency changes), and
/// swapping the order in every other pair cancels any advantage of going first or second.
/// </summary>
internal static class Interleaved
{
    public static Paired Run(Func<double> baseline, Func<double> steered, int warmup, int rounds)
    {
        for (var i = 0; i < warmup; i++)
        {
            baseline();
            steered();
        }
        var a = new List<double>(rounds);
        var b = new List<double>(rounds);
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
        return new Paired(a, b);
    }
}
