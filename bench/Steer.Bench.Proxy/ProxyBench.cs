using System.Text.Json;
using Steer.Lab;
using Steer.Policy.Configuration;
using Steer.Proxy;

namespace Steer.Bench.Proxy;

/// <summary>
/// client ── lan0 [gateway] wan0 ── server (10.99.0.1 on its loopback). Rounds of: for each mode
/// (kernel forwarding, Steer TProxy, v2ray TProxy): iperf3 one stream, iperf3 four streams, wrk
/// new connections per second (Connection: close, 1 KiB body). Medians, all samples, ratios; then
/// the proxies' RSS per idle connection.
/// </summary>
internal static class ProxyBench
{
    public const int ProxyPort = 7893;
    private const string Target = "10.99.0.1";
    private const int HttpPort = 8080;

    public static async Task RunAsync(BenchOptions options)
    {
        var work = Directory.CreateTempSubdirectory("steer-bench-proxy-");
        var yamlPath = Path.Combine(work.FullName, "steer.yaml");
        const string Yaml = "proxy:\n  tproxy: { port: 7893, interfaces: [lan0] }\n";
        await File.WriteAllTextAsync(yamlPath, Yaml);
        var v2rayPath = Path.Combine(work.FullName, "v2ray.json");
        await File.WriteAllTextAsync(v2rayPath, V2rayMode.Config(new ProxyOptions()));
        var steerConfig = ConfigLoader.LoadOrThrow(Yaml);
        var httpd = Path.Combine(AppContext.BaseDirectory, "proxy-httpd");

        await using var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var gw = t.Router("gw");
            var server = t.Host("server");
            t.Link(client.End("c0", "10.10.0.2/24"), gw.End("lan0", "10.10.0.1/24"));
            t.Link(gw.End("wan0", "10.20.0.1/24"), server.End("s0", "10.20.0.2/24"));
            server.Loopback("10.99.0.1/32");
            client.Route("default via 10.10.0.1");
            gw.Route("default via 10.20.0.2");
            server.Route("10.10.0.0/24 via 10.20.0.1");
            foreach (var host in new[] { client, gw, server })
                host.Sysctl("net.ipv4.tcp_tw_reuse", "1");
            client.Sysctl("net.ipv4.ip_local_port_range", "10000 65000");
        });
        lab["server"].Start("iperf3", "-s");
        var http = lab["server"].Start(httpd, "server", HttpPort.ToString());
        await http.WaitForOutputAsync("listening", TimeSpan.FromSeconds(5));
        await Task.Delay(500);

        List<Mode> modes = [new ForwardMode(), new SteerMode(yamlPath)];
        if (options.OnlyV2ray)
            modes = [new ForwardMode(), new V2rayMode(v2rayPath, steerConfig)];
        else if (!options.SkipV2ray)
        {
            if (File.Exists("/usr/bin/v2ray"))
                modes.Add(new V2rayMode(v2rayPath, steerConfig));
            else
                Console.WriteLine("v2ray is not installed (apt-get install v2ray): measuring without it");
        }

        var results = modes.ToDictionary(m => m.Name, _ => new Samples());
        Console.WriteLine($"bench/proxy: {options.Rounds} rounds × {modes.Count} modes, {options.Seconds} s per run, interleaved");
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var mode in modes)
            {
                await mode.StartAsync(lab);
                try
                {
                    var samples = results[mode.Name];
                    var cpu = Cpu(mode.Pid);
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var single = await IperfAsync(lab, 1, options.Seconds);
                    samples.Single.Add(single);
                    // CPU per byte and per connection: what the proxy costs, whatever else the machine runs.
                    var afterSingle = Cpu(mode.Pid);
                    if (mode.Pid is not null)
                        samples.CpuPerGigabyte.Add((afterSingle - cpu) / (single * options.Seconds / 8));
                    samples.Four.Add(await IperfAsync(lab, 4, options.Seconds));
                    ClearTimeWait(lab);
                    var beforeWrk = Cpu(mode.Pid);
                    samples.Connections.Add(await WrkAsync(lab, options.Seconds));
                    if (mode.Pid is not null)
                        samples.CpuPerConnection.Add((Cpu(mode.Pid) - beforeWrk) * 1e6 / (samples.Connections[^1] * options.Seconds));
                    ClearTimeWait(lab);
                    if (mode.Pid is not null)
                        samples.Cores.Add((Cpu(mode.Pid) - cpu) / watch.Elapsed.TotalSeconds);
                    Console.WriteLine($"  round {round} {mode.Name,-18} 1 stream {samples.Single[^1],6:F2} Gbit/s   4 streams {samples.Four[^1],6:F2} Gbit/s   {samples.Connections[^1],8:F0} conn/s" +
                                      (mode.Pid is null ? "" : $"   proxy CPU {samples.Cores[^1]:F2} cores, {samples.CpuPerGigabyte[^1]:F3} s/GB, {samples.CpuPerConnection[^1]:F0} µs/conn"));
                }
                finally
                {
                    await mode.StopAsync(lab);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"",-18} {"1 stream",12} {"4 streams",12} {"new conn/s",12}   (medians)");
        foreach (var mode in modes)
        {
            var s = results[mode.Name];
            Console.WriteLine($"{mode.Name,-18} {Median(s.Single),7:F2} Gbit {Median(s.Four),7:F2} Gbit {Median(s.Connections),12:F0}");
        }
        var kernel = results[modes[0].Name];
        var steer = results[modes[1].Name];
        Console.WriteLine();
        Console.WriteLine($"Steer / kernel forwarding: 1 stream {Median(steer.Single) / Median(kernel.Single):F2} (goal ≥ 0.7), 4 streams {Median(steer.Four) / Median(kernel.Four):F2}, conn/s {Median(steer.Connections) / Median(kernel.Connections):F2}");
        if (modes.Count > 2)
        {
            var v2ray = results[modes[2].Name];
            Console.WriteLine($"Steer / v2ray:             1 stream {Median(steer.Single) / Median(v2ray.Single):F2} (goal ≥ 1.3), 4 streams {Median(steer.Four) / Median(v2ray.Four):F2}, conn/s {Median(steer.Connections) / Median(v2ray.Connections):F2} (goal ≥ 1.5)");
            Console.WriteLine($"proxy CPU (load-independent): Steer {Median(steer.CpuPerGigabyte):F3} s/GB, {Median(steer.CpuPerConnection):F0} µs/conn; " +
                              $"v2ray {Median(v2ray.CpuPerGigabyte):F3} s/GB, {Median(v2ray.CpuPerConnection):F0} µs/conn; v2ray/Steer {Median(v2ray.CpuPerGigabyte) / Median(steer.CpuPerGigabyte):F2}× per byte, {Median(v2ray.CpuPerConnection) / Median(steer.CpuPerConnection):F2}× per connection");
        }

        Console.WriteLine();
        foreach (var mode in modes.Where(m => m is not ForwardMode))
        {
            await mode.StartAsync(lab);
            try
            {
                var before = Rss(mode.Pid!.Value);
                using var idle = lab["client"].Start(httpd, "idle", Target, HttpPort.ToString(), options.IdleConnections.ToString(), "30");
                await idle.WaitForOutputAsync("open", TimeSpan.FromSeconds(30));
                await Task.Delay(1500);
                var after = Rss(mode.Pid!.Value);
                Console.WriteLine($"{mode.Name,-18} RSS {before / 1024.0:F1} MiB idle → {after / 1024.0:F1} MiB with {options.IdleConnections} idle TCP connections: " +
                                  $"{(after - before) / (double)options.IdleConnections:F2} KiB per connection{(mode is SteerMode ? " (goal ≤ 10)" : "")}  [{idle.Stdout.Trim()}]");
                idle.Kill();
            }
            finally
            {
                await mode.StopAsync(lab);
            }
        }
    }

    private sealed class Samples
    {
        public List<double> Single { get; } = [];
        public List<double> Four { get; } = [];
        public List<double> Connections { get; } = [];
        public List<double> Cores { get; } = [];
        public List<double> CpuPerGigabyte { get; } = [];
        public List<double> CpuPerConnection { get; } = [];
    }

    private static async Task<double> IperfAsync(Steer.Lab.Lab lab, int streams, int seconds)
    {
        var result = await lab["client"].ExecAsync(new ExecOptions(Timeout: TimeSpan.FromSeconds(seconds + 20)),
            "iperf3", "-c", Target, "-t", seconds.ToString(), "-P", streams.ToString(), "-J");
        using var json = JsonDocument.Parse(result.Stdout);
        if (json.RootElement.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"iperf3: {error}");
        return json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }

    private static async Task<double> WrkAsync(Steer.Lab.Lab lab, int seconds)
    {
        var result = await lab["client"].ExecAsync(new ExecOptions(Timeout: TimeSpan.FromSeconds(seconds + 20)),
            "wrk", "-t", "2", "-c", "32", "-d", $"{seconds}s", "-H", "Connection: close", $"http://{Target}:{HttpPort}/");
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk: {result}");
        if (result.Stdout.Split('\n').FirstOrDefault(l => l.Contains("Socket errors", StringComparison.Ordinal)) is { } errors)
            Console.WriteLine($"    wrk: {errors.Trim()}");
        return double.Parse(line["Requests/sec:".Length..].Trim());
    }

    private static void ClearTimeWait(Steer.Lab.Lab lab)
    {
        foreach (var host in lab.Hosts)
            host.Exec("ss", "-K", "state", "time-wait");
    }

    /// <summary>utime + stime of a process, in seconds.</summary>
    private static double Cpu(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
            return 0;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    /// <summary>VmRSS in KiB.</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
