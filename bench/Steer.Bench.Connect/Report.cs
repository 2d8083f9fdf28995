using System.Globalization;
using System.Text;

namespace Steer.Bench.Connect;

/// <summary>The printed result: one table for connect() and one for start-up, each row with both
/// variants' medians and spreads, the comparison, the goal and whether it was met.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Prints the connect() row of one case; returns whether the goal was met. The ratio judged is
    /// the median of the round-by-round ratios: each pair ran back to back under the same load,
    /// so it holds even when the load moves both variants between two speeds (the other CPU of a
    /// core busy or idle), where a ratio of the two medians can tip by whichever variant had more
    /// rounds in the fast state. Both other ratios are shown beside it: of the medians, and of the
    /// plain means (whose rounds include the time spent preempted).
    /// </summary>
    public static bool ConnectRow(TextWriter output, Probe probe, Paired<Round> rounds, double? goalRatio = null)
    {
        var samples = rounds.Select(r => r.BatchMedian);
        var plain = Statistics.Of(samples.Baseline);
        var steered = Statistics.Of(samples.Steered);
        var ratios = Statistics.Of(samples.Ratios());
        var means = rounds.Select(r => r.Mean);
        var meanRatio = Statistics.Of(means.Steered).Median / Statistics.Of(means.Baseline).Median;
        var goal = goalRatio ?? Goals.Ratio(probe);
        var met = ratios.Median <= goal;
        output.WriteLine(string.Format(Invariant, ConnectColumns,
            probe.Name, Spread(plain, "0"), Spread(steered, "0"), Spread(ratios, "0.000"),
            (steered.Median / plain.Median).ToString("0.000", Invariant), meanRatio.ToString("0.000", Invariant),
            $"≤ {goal.ToString("0.00", Invariant)}", met ? "PASS" : "FAIL"));
        return met;
    }

    private static readonly CompositeFormat ConnectColumns = CompositeFormat.Parse("{0,-18} {1,21} {2,21} {3,21} {4,7} {5,7} {6,6} {7}");

    public static void ConnectHeader(TextWriter output) =>
        output.WriteLine(string.Format(Invariant, ConnectColumns,
            "case", "plain ns/op (p25–p75)", "steer ns/op (p25–p75)", "ratio (p25–p75)", "medians", "means", "goal", "result"));

    public static void ConnectLegend(TextWriter output) => output.WriteLine("""
        ns/op: median over rounds of each round's median batch. ratio: median of the round-by-round
        steer/plain ratios (judged against the goal); medians: ratio of the two ns/op medians;
        means: the same for each round's plain mean, time spent preempted included.

        """);

    public static void StartupLegend(TextWriter output) => output.WriteLine("""
        Wall time from fork to exit, spawned by this runner; added ms: difference of the medians
        (judged against the goal); steer CPU ms: user + system time of steer and true together.

        """);

    private static readonly CompositeFormat StartupColumns = CompositeFormat.Parse("{0,-34} {1,17} {2,21} {3,8} {4,17} {5,6} {6}");

    public static void StartupHeader(TextWriter output) =>
        output.WriteLine(string.Format(Invariant, StartupColumns,
            "start-up", "true ms (p25–p75)", "steer ms (p25–p75)", "added ms", "steer CPU ms", "goal", "result"));

    /// <summary>Prints a start-up row; with no goal it is for information. Returns whether the goal
    /// was met: the difference of the median wall times.</summary>
    public static bool StartupRow(TextWriter output, string name, Paired<(TimeSpan Wall, TimeSpan Cpu)> runs, double? goalMs)
    {
        var wall = runs.Select(r => r.Wall.TotalMilliseconds);
        var plain = Statistics.Of(wall.Baseline);
        var steered = Statistics.Of(wall.Steered);
        var cpu = Statistics.Of(runs.Select(r => r.Cpu.TotalMilliseconds).Steered);
        var added = steered.Median - plain.Median;
        var met = goalMs is not { } goal || added <= goal;
        output.WriteLine(string.Format(Invariant, StartupColumns,
            name, Spread(plain, "0.0"), Spread(steered, "0.0"), added.ToString("0.0", Invariant), Spread(cpu, "0"),
            goalMs is { } g ? $"≤ {g.ToString("0", Invariant)}" : "—", goalMs is null ? "info" : met ? "PASS" : "FAIL"));
        return met;
    }

    private static string Spread(Statistics s, string format) =>
        $"{s.Median.ToString(format, Invariant)} ({s.P25.ToString(format, Invariant)}–{s.P75.ToString(format, Invariant)})";
}
