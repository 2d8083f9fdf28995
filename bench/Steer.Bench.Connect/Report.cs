using System.Globalization;
using System.Text;

namespace Steer.Bench.Connect;

/// <summary>The printed result: one table for connect() and one for start-up, each row with both
/// variants' medians and spreads, the comparison, the goal and whether it was met.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Prints the connect() row of one case; returns whether the goal was met. The goal is
    /// judged on the batch medians; the ratio of the plain means, preemption included, is shown
    /// beside it.</summary>
    public static bool ConnectRow(TextWriter output, Probe probe, Paired<Round> rounds)
    {
        var samples = rounds.Select(r => r.BatchMedian);
        var plain = Statistics.Of(samples.Baseline);
        var steered = Statistics.Of(samples.Steered);
        var ratios = Statistics.Of(samples.Ratios());
        var means = rounds.Select(r => r.Mean);
        var meanRatio = Statistics.Of(means.Steered).Median / Statistics.Of(means.Baseline).Median;
        var ratio = steered.Median / plain.Median;
        var goal = Goals.Ratio(probe);
        var met = ratio <= goal;
        output.WriteLine(string.Format(Invariant, ConnectColumns,
            probe.Name, Spread(plain, "0"), Spread(steered, "0"), ratio.ToString("0.000", Invariant),
            $"{ratios.P25.ToString("0.000", Invariant)}–{ratios.P75.ToString("0.000", Invariant)}",
            meanRatio.ToString("0.000", Invariant), $"≤ {goal.ToString("0.00", Invariant)}", met ? "PASS" : "FAIL"));
        return met;
    }

    private static readonly CompositeFormat ConnectColumns = CompositeFormat.Parse("{0,-18} {1,21} {2,21} {3,6} {4,13} {5,10} {6,6} {7}");

    public static void ConnectHeader(TextWriter output) =>
        output.WriteLine(string.Format(Invariant, ConnectColumns,
            "case", "plain ns/op (p25–p75)", "steer ns/op (p25–p75)", "ratio", "paired spread", "mean ratio", "goal", "result"));

    public static void StartupHeader(TextWriter output) =>
        output.WriteLine(string.Format(Invariant, "{0,-34} {1,20} {2,20} {3,9} {4,9} {5}",
            "start-up", "true ms (p25–p75)", "steer ms (p25–p75)", "added ms", "goal", "result"));

    /// <summary>Prints a start-up row; with no goal it is for information. Returns whether the goal was met.</summary>
    public static bool StartupRow(TextWriter output, string name, Paired<double> samples, double? goalMs)
    {
        var plain = Statistics.Of(samples.Baseline);
        var steered = Statistics.Of(samples.Steered);
        var added = steered.Median - plain.Median;
        var met = goalMs is not { } goal || added <= goal;
        output.WriteLine(string.Format(Invariant, "{0,-34} {1,20} {2,20} {3,9:0.0} {4,9} {5}",
            name, Spread(plain, "0.0"), Spread(steered, "0.0"), added,
            goalMs is { } g ? $"≤ {g.ToString("0", Invariant)}" : "—", goalMs is null ? "info" : met ? "PASS" : "FAIL"));
        return met;
    }

    private static string Spread(Statistics s, string format) =>
        $"{s.Median.ToString(format, Invariant)} ({s.P25.ToString(format, Invariant)}–{s.P75.ToString(format, Invariant)})";
}
