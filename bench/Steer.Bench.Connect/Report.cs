using System.Globalization;

namespace Steer.Bench.Connect;

/// <summary>The printed result: one table for connect() and one for start-up, each row with both
/// variants' medians and spreads, the comparison, the goal and whether it was met.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Prints the connect() row of one case; returns whether the goal was met.</summary>
    public static bool ConnectRow(TextWriter output, Probe probe, Paired samples)
    {
        var plain = Statistics.Of(samples.Baseline);
        var steered = Statistics.Of(samples.Steered);
        var ratios = Statistics.Of(samples.Ratios);
        var ratio = steered.Median / plain.Median;
        var goal = Goals.Ratio(probe);
        var met = ratio <= goal;
        output.WriteLine(string.Format(Invariant, "{0,-20} {1,22} {2,22} {3,7:0.000} {4,15} {5,8} {6}",
            probe.Name, Spread(plain, "0"), Spread(steered, "0"), ratio,
            $"{ratios.P25.ToString("0.000", Invariant)}–{ratios.P75.ToString("0.000", Invariant)}",
            $"≤ {goal.ToString("0.00", Invariant)}", met ? "PASS" : "FAIL"));
        return met;
    }

    public static void ConnectHeader(TextWriter output) =>
        output.WriteLine(string.Format(Invariant, "{0,-20} {1,22} {2,22} {3,7} {4,15} {5,8} {6}",
            "case", "plain ns/op (p25–p75)", "steer ns/op (p25–p75)", "ratio", "paired p25–p75", "goal", "result"));

    public static void StartupHeader(TextWriter output) =>
        output.WriteLine(string.Format(Invariant, "{0,-34} {1,20} {2,20} {3,9} {4,9} {5}",
            "start-up", "true ms (p25–p75)", "steer ms (p25–p75)", "added ms", "goal", "result"));

    /// <summary>Prints a start-up row; with no goal it is for information. Returns whether the goal was met.</summary>
    public static bool StartupRow(TextWriter output, string name, Paired samples, double? goalMs)
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
