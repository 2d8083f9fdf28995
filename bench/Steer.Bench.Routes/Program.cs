using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Steer.Lab;
using Steer.Linux.Netlink;
using Steer.Policy.Configuration;
using Steer.Routing;
using Steer.Routing.Compile;
using Steer.Routing.Model;

// bench/routes — see bench/README.md. Root: it builds network namespaces (tests/Steer.Lab).
if (Lab.SkipReason is { } skip)
{
    Console.Error.WriteLine($"bench/routes: cannot run: {skip}");
    return 2;
}
int changes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
int applyRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"bench/routes: {Environment.ProcessorCount} cores, {changes} address changes, {applyRounds} apply rounds");
await Reconcile.RunAsync(changes);
await ApplyTime.RunAsync(applyRounds);
return 0;

internal static class Stats
{
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>
/// From a netlink change to the corrected state: an uplink gains or loses an address in a new
/// subnet (its table must gain or lose the connected route). Steer's figure is from just before
/// the change is made to the end of the reconcile that fixed it; the baseline is how long the
/// kernel takes to tell a bare monitor about the same change, the floor any reconciler sits on.
/// </summary>
internal static class Reconcile
{
    public static async Task RunAsync(int count)
    {
        await using var lab = await Lab.BuildAsync(t =>
        {
            var node = t.Host("node");
            var router = t.Router("router");
            t.Link(node, "eth1", router, "r1", "10.1.0.2/24", "10.1.0.1/24");
            t.Link(node, "eth2", router, "r2", "10.2.0.2/24", "10.2.0.1/24");
            node.Route("default via 10.1.0.1");
        });
        var node = lab["node"];
        var config = ConfigLoader.LoadOrThrow("uplinks:\n  - { interface: eth1, gateway: 10.1.0.1 }\n  - { interface: eth2, gateway: 10.2.0.1 }\n");
        var state = Path.Combine(Path.GetTempPath(), $"bench-routes-{Environment.ProcessId}.json");
        using var plane = new RoutePlane(new RoutePlaneOptions(node.NsPath, state, TextWriter.Null));
        var done = new BlockingCollection<long>();
        plane.Reconciled += r => { if (r.Applied) done.Add(Stopwatch.GetTimestamp()); };
        plane.Apply(config);
        Thread.Sleep(300);
        while (done.TryTake(out _)) { }

        using var bare = NetlinkMonitor.OpenAt(node.NsPath, NetlinkGroups.Addresses);
        var seen = new BlockingCollection<long>();
        var reader = new Thread(() =>
        {
            var batch = new List<NetlinkEvent>();
            while (bare.ReadEvents(batch))
            {
                if (batch.Count > 0)
                    seen.Add(Stopwatch.GetTimestamp());
                batch.Clear();
            }
        }) { IsBackground = true };
        reader.Start();

        using var netlink = NetlinkHandle.OpenAt(node.NsPath);
        var steer = new List<double>();
        var baseline = new List<double>();
        int missed = 0;
        for (int i = 0; i < count; i++)
        {
            var address = IPAddress.Parse($"10.3.{i % 200}.2");
            long start = Stopwatch.GetTimestamp();
            if (i % 2 == 0)
                netlink.AddAddress("eth2", address, 24);
            else
                netlink.DeleteAddress("eth2", IPAddress.Parse($"10.3.{(i - 1) % 200}.2"), 24);
            if (seen.TryTake(out var seenAt, TimeSpan.FromSeconds(1)))
                baseline.Add(Stopwatch.GetElapsedTime(start, seenAt).TotalMilliseconds);
            if (done.TryTake(out var doneAt, TimeSpan.FromSeconds(2)))
                steer.Add(Stopwatch.GetElapsedTime(start, doneAt).TotalMilliseconds);
            else
                missed++;
            Thread.Sleep(20);
            while (seen.TryTake(out _)) { }
            while (done.TryTake(out _)) { }
        }
        bare.Dispose();
        plane.RemoveAll();
        File.Delete(state);
        Console.WriteLine();
        Console.WriteLine($"reconcile latency, {count} address changes on an uplink (change → table corrected):");
        Console.WriteLine($"  baseline: kernel event reaches a bare monitor  median {Stats.Ms(Stats.Median(baseline))}  max {Stats.Ms(baseline.Max())}");
        Console.WriteLine($"  steer:    event → diff → applied               median {Stats.Ms(Stats.Median(steer))}  max {Stats.Ms(steer.Max())}  (missed: {missed})");
        Console.WriteLine($"  ratio (medians) {Stats.Median(steer) / Math.Max(0.001, Stats.Median(baseline)):F1}x;  goal: median < 20 ms, max < 100 ms: " +
                          (Stats.Median(steer) < 20 && steer.Max() < 100 && missed == 0 ? "met" : "NOT met"));
    }
}

/// <summary>
/// Apply time for 64 uplinks (all symmetric) and 1,000 source rules on a clean node, against
/// <c>ip -batch</c> adding the very same routes and rules (no nft, no reading of the kernel):
/// what the objects cost to install at all.
/// </summary>
internal static class ApplyTime
{
    private const int Uplinks = 64, Sources = 1000;

    public static async Task RunAsync(int rounds)
    {
        await using var lab = await Lab.BuildAsync(t =>
        {
            var node = t.Host("node");
            var router = t.Router("router");
            for (int i = 0; i < Uplinks; i++)
                t.Link(node, $"u{i}", router, $"r{i}", $"10.100.{i}.2/24", $"10.100.{i}.1/24");
        });
        var node = lab["node"];
        var yaml = new StringBuilder("uplinks:\n");
        for (int i = 0; i < Uplinks; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ interface: u{i}, gateway: 10.100.{i}.1 }}\n");
        yaml.Append("sources:\n");
        for (int i = 0; i < Sources; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ address: 192.168.{i / 250}.{i % 250 + 1}, uplink: u{i % Uplinks} }}\n");
        var config = ConfigLoader.LoadOrThrow(yaml.ToString());
        var state = Path.Combine(Path.GetTempPath(), $"bench-routes-apply-{Environment.ProcessId}.json");

        var steer = new List<double>();
        var baseline = new List<double>();
        int changes = 0;
        (string V4, string V6) batch = ("", "");
        for (int round = 0; round < rounds; round++)
        {
            using (var plane = new RoutePlane(new RoutePlaneOptions(node.NsPath, state, TextWriter.Null)))
            {
                var watch = Stopwatch.StartNew();
                var diff = plane.Apply(config);
                steer.Add(watch.Elapsed.TotalMilliseconds);
                changes = diff.ChangeCount;
                if (batch.V4.Length == 0)
                    batch = IpBatch(diff, node);
                plane.RemoveAll();
            }
            var ip = Stopwatch.StartNew();
            (await node.ExecAsync(new ExecOptions(batch.V4), "ip", "-4", "-batch", "-")).EnsureSuccess();
            (await node.ExecAsync(new ExecOptions(batch.V6), "ip", "-6", "-batch", "-")).EnsureSuccess();
            baseline.Add(ip.Elapsed.TotalMilliseconds);
            (await node.ExecAsync("ip", "-4", "rule", "flush")).EnsureSuccess();
            (await node.ExecAsync("ip", "-6", "rule", "flush")).EnsureSuccess();
            (await node.ExecAsync("ip", "rule", "add", "priority", "32766", "lookup", "main")).EnsureSuccess();
            (await node.ExecAsync("ip", "rule", "add", "priority", "32767", "lookup", "default")).EnsureSuccess();
            (await node.ExecAsync("ip", "-6", "rule", "add", "priority", "32766", "lookup", "main")).EnsureSuccess();
            for (int i = 0; i < Uplinks; i++)
                await node.ExecAsync("ip", "route", "flush", "table", config.FindUplink($"u{i}")!.Table.ToString(CultureInfo.InvariantCulture));
        }
        File.Delete(state);
        Console.WriteLine();
        Console.WriteLine($"apply, {Uplinks} uplinks + {Sources} source rules on a clean node ({changes} changes, {rounds} rounds):");
        Console.WriteLine($"  baseline: ip -batch, the same routes and rules   median {Stats.Ms(Stats.Median(baseline))}");
        Console.WriteLine($"  steer:    read kernel, compile, diff, apply all  median {Stats.Ms(Stats.Median(steer))}  (max {Stats.Ms(steer.Max())})");
        Console.WriteLine($"  ratio (medians) {Stats.Median(steer) / Stats.Median(baseline):F2}x;  goal: < 1 s: " + (Stats.Median(steer) < 1000 ? "met" : "NOT met"));
    }

    /// <summary>The diff's routes and rules as ip commands (time the kernel part only).</summary>
    private static (string V4, string V6) IpBatch(RoutePlanDiff diff, LabHost node)
    {
        var links = node.Exec("ip", "-o", "link", "show").EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')).ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture), p => p[1].Trim().Split('@')[0]);
        var v4 = new StringBuilder();
        var v6 = new StringBuilder();
        foreach (var route in diff.AddRoutes)
        {
            var line = route.ToString();
            if (route.OutputInterface is { } index)
                line = line.Replace($" dev if{index}", $" dev {links[index]}", StringComparison.Ordinal);
            (route.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : v4).Append("route add ").Append(line).Append('\n');
        }
        foreach (var rule in diff.AddRules)
        {
            var line = rule.ToString();
            var words = line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..];
            (rule.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : v4)
                .Append("rule add priority ").Append(rule.Priority).Append(' ').Append(words).Append('\n');
        }
        return (v4.ToString(), v6.ToString());
    }
}
