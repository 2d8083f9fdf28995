using System.Diagnostics;
using System.Globalization;

namespace Steer.Bench.Resolver;

/// <summary>One dnsperf run and what it printed.</summary>
internal sealed record DnsperfResult(double Qps, long Sent, long Completed, long Lost, IReadOnlyList<double> LatenciesMicros);

internal static class Dnsperf
{
    /// <summary>Runs dnsperf against 127.0.0.1:<paramref name="port"/>. With
    /// <paramref name="maxQps"/> it paces the queries and reports every query's latency (-v).</summary>
    public static DnsperfResult Run(int port, string file, BenchOptions options, int seconds, int? maxQps = null, bool once = false)
    {
        var args = new List<string>
        {
            "-s", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-d", file, "-l", seconds.ToString(CultureInfo.InvariantCulture),
            "-c", options.Clients.ToString(CultureInfo.InvariantCulture), "-q", options.Outstanding.ToString(CultureInfo.InvariantCulture),
            "-T", options.Threads.ToString(CultureInfo.InvariantCulture), "-t", "2", "-O", "suppress=timeouts,unexpected",
        };
        if (once)
            args.AddRange(["-n", "1"]);
        if (maxQps is { } q)
            args.AddRange(["-Q", q.ToString(CultureInfo.InvariantCulture), "-v"]);
        var start = new ProcessStartInfo("dnsperf") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dnsperf did not start");
        var latencies = new List<double>();
        double qps = 0;
        long sent = 0, completed = 0, lost = 0;
        var stderr = process.StandardError.ReadToEndAsync();
        // A watchdog: dnsperf has been seen spinning long past -l when a server stopped answering.
        using var watchdog = new Timer(_ => { try { process.Kill(); } catch (InvalidOperationException) { } }, null, TimeSpan.FromSeconds(seconds + 20), Timeout.InfiniteTimeSpan);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var t = line.Trim();
            if (t.StartsWith("> ", StringComparison.Ordinal))
            {
                var last = t[(t.LastIndexOf(' ') + 1)..];
                if (double.TryParse(last, NumberStyles.Float, CultureInfo.InvariantCulture, out double s))
                    latencies.Add(s * 1e6);
            }
            else if (t.StartsWith("Queries per second:", StringComparison.Ordinal))
                qps = double.Parse(t.Split(':')[1], CultureInfo.InvariantCulture);
            else if (t.StartsWith("Queries sent:", StringComparison.Ordinal))
                sent = long.Parse(t.Split(':')[1], CultureInfo.InvariantCulture);
            else if (t.StartsWith("Queries completed:", StringComparison.Ordinal))
                completed = long.Parse(t.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            else if (t.StartsWith("Queries lost:", StringComparison.Ordinal))
                lost = long.Parse(t.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        process.WaitForExit();
        if (process.ExitCode != 0 || completed == 0)
        {
            var error = stderr.Result.Trim();
            throw new InvalidOperationException($"dnsperf failed (exit {process.ExitCode}, {completed} answers): {error[..Math.Min(error.Length, 400)]}");
        }
        return new DnsperfResult(qps, sent, completed, lost, latencies);
    }
}
