using System.Diagnostics;
using System.Globalization;
using Steer.Bench.Resolver;

// bench/resolver: Steer's resolver against dnsmasq, both forwarding to the same upstream on
// loopback, measured by dnsperf in one run, interleaved: queries/s cache-hot and cache-cold,
// latency at a fixed rate, and what writing decisions into the kernel adds (the daemon's own
// histogram of its decide step). Reports and exits 0 whether or not the goals are met; exits 2
// when it cannot measure at all.

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"bench/resolver: {e.Message}\n{BenchOptions.Usage}");
    return 2;
}
if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
if (Environment.UserName != "root")
{
    Console.Error.WriteLine("bench/resolver: cannot run: needs root (steer start attaches programs to a cgroup)");
    return 2;
}
foreach (var tool in new[] { "/usr/bin/dnsperf", "/usr/sbin/dnsmasq", options.SteerPath })
{
    if (!File.Exists(tool))
    {
        Console.Error.WriteLine($"bench/resolver: cannot run: {tool} does not exist");
        return 2;
    }
}

var clock = Stopwatch.StartNew();
Console.WriteLine($"bench/resolver  {DateTime.Now:yyyy-MM-dd HH:mm}  {Environment.ProcessorCount} cores  load {BenchLab.LoadAverage()}");
Console.WriteLine($"dnsperf -c {options.Clients} -q {options.Outstanding} -T {options.Threads}, {options.Seconds} s rounds, {options.Rounds} per variant and case, interleaved");
using var lab = new BenchLab(options.SteerPath);
Console.CancelKeyPress += (_, e) => { e.Cancel = false; lab.Dispose(); };
var decide = new DecidePhase(lab, options);
try
{
    lab.Start(decide.WriteNames());
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"bench/resolver: cannot run: {e.Message}");
    return 2;
}

// First, on a fresh daemon: what decide-before-answer costs at a fixed rate (DecidePhase).
decide.Run();
if (options.DecideOnly)
{
    Console.WriteLine();
    decide.Report();
    Console.WriteLine($"took {clock.Elapsed.TotalSeconds:0} s; load {BenchLab.LoadAverage()}");
    return 0;
}

// One name in ten is under ruled.test: its answers go through the decision map.
string Name(string prefix, int i) => i % 10 == 0 ? $"{prefix}{i}.ruled.test A" : $"{prefix}{i}.bench.test A";
string QueryFile(string tag, string prefix, int count)
{
    var path = Path.Combine(lab.WorkDir, $"{tag}.txt");
    using var writer = new StreamWriter(path);
    for (int i = 0; i < count; i++)
        writer.WriteLine(Name(prefix, i));
    return path;
}

var variants = new (string Name, int Port)[] { ("dnsmasq", lab.DnsmasqPort), ("steer", lab.SteerPort) };
var hot = QueryFile("hot", "h", options.HotNames);
foreach (var (_, port) in variants)
    Dnsperf.Run(port, hot, options, options.Seconds, once: true); // fills both caches

var qps = new Dictionary<(string Case, string Variant), List<double>>();
var cpu = new Dictionary<(string Case, string Variant), List<double>>(); // CPU µs per answered query
void Add(string c, string v, double q) => (qps.TryGetValue((c, v), out var l) ? l : qps[(c, v)] = []).Add(q);
int steerPid = lab.SteerPid();
int PidOf(string variant) => variant == "steer" ? steerPid : lab.DnsmasqPid;
void Measure(string c, string variant, int port, string file, bool once)
{
    double before = BenchLab.CpuSeconds(PidOf(variant));
    DnsperfResult result;
    try
    {
        // Cold: fewer in flight. dnsmasq drops queries beyond its forward table and, saturated,
        // has been seen to stall for seconds while lost forwards time out; the same for both.
        result = Dnsperf.Run(port, file, once ? options with { Outstanding = Math.Min(options.Outstanding, 100) } : options, options.Seconds, once: once);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"\nbench/resolver: {c} round against {variant} failed, left out: {e.Message}");
        Thread.Sleep(5000);
        return;
    }
    double used = BenchLab.CpuSeconds(PidOf(variant)) - before;
    (cpu.TryGetValue((c, variant), out var l) ? l : cpu[(c, variant)] = []).Add(used * 1e6 / Math.Max(1, result.Completed));
    Add(c, variant, result.Qps);
}
int coldNames = 80_000 * options.Seconds;
for (int round = 0; round < options.Rounds; round++)
{
    var order = round % 2 == 0 ? variants : [.. variants.Reverse()];
    foreach (var (name, port) in order)
        Measure("cache-hot", name, port, hot, once: false);
    foreach (var (name, port) in order)
    {
        var cold = QueryFile("cold", $"c{round}{name}-", coldNames); // names never asked before
        Measure("cache-cold", name, port, cold, once: true);
    }
    Console.Error.Write('.');
}
Console.Error.WriteLine();

// Latency at a fixed rate, well under either's capacity: at saturation latency is only queueing.
// The cold rounds may have pushed the hot names out of a cache: ask them once more first.
var latency = new Dictionary<(string Case, string Variant), IReadOnlyList<double>>();
IReadOnlyList<double> Latencies(int port, string file, bool once)
{
    try
    {
        return Dnsperf.Run(port, file, options, 4, maxQps: options.LatencyQps, once: once).LatenciesMicros;
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"bench/resolver: latency run failed: {e.Message}");
        return [];
    }
}
foreach (var (name, port) in variants)
{
    Latencies(port, hot, once: true);
    latency[("cache-hot", name)] = Latencies(port, hot, once: false);
    var cold = QueryFile("cold-latency", $"l{name}-", options.LatencyQps * 5);
    latency[("cache-cold", name)] = Latencies(port, cold, once: true);
}
var status = lab.SteerStatus();
var stats = status.GetProperty("resolverStats");
var map = status.GetProperty("mapUpdates");

Console.WriteLine();
Console.WriteLine($"{"case",-11}{"dnsmasq q/s",13}{"steer q/s",12}{"ratio",8}{"goal",8}  result   (medians of {options.Rounds} rounds; all rounds: steer/dnsmasq)");
foreach (var c in new[] { "cache-hot", "cache-cold" })
{
    List<double> Of(Dictionary<(string, string), List<double>> figures, string v) => figures.GetValueOrDefault((c, v)) ?? [];
    double d = Statistics.Median(Of(qps, "dnsmasq")), s = Statistics.Median(Of(qps, "steer"));
    var goal = c == "cache-hot" ? "≥ 1.20" : "—";
    var result = c == "cache-hot" ? (s / d >= 1.2 ? "PASS" : "FAIL") : "info";
    var all = string.Join(' ', Of(qps, "steer").Zip(Of(qps, "dnsmasq"), (a, b) => (a / b).ToString("0.00", CultureInfo.InvariantCulture))); // pairs in order; a failed round shifts them
    Console.WriteLine($"{c,-11}{BenchLab.Format(d),13}{BenchLab.Format(s),12}{s / d,8:0.00}{goal,8}  {result,-8} ({all})");
}
Console.WriteLine();
Console.WriteLine($"{"CPU per query, µs",-24}{"dnsmasq",8}{"steer",8}{"ratio",8}   (process CPU time over answers, medians; load-independent)");
foreach (var c in new[] { "cache-hot", "cache-cold" })
{
    double d = Statistics.Median(cpu.GetValueOrDefault((c, "dnsmasq")) ?? []), s = Statistics.Median(cpu.GetValueOrDefault((c, "steer")) ?? []);
    Console.WriteLine($"{c,-24}{d,8:0.0}{s,8:0.0}{s / d,8:0.00}");
}
Console.WriteLine();
Console.WriteLine($"latency at {options.LatencyQps} q/s, µs   dnsmasq p50    p99   steer p50    p99   p99 ratio");
foreach (var c in new[] { "cache-hot", "cache-cold" })
{
    var d = latency[(c, "dnsmasq")];
    var s = latency[(c, "steer")];
    if (d.Count == 0 || s.Count == 0)
    {
        Console.WriteLine($"{c,-26}  (a latency run failed; see above)");
        continue;
    }
    double dp99 = Statistics.Percentile(d, 0.99), sp99 = Statistics.Percentile(s, 0.99);
    Console.WriteLine($"{c,-26}{Statistics.Median(d),13:0}{dp99,7:0}{Statistics.Median(s),12:0}{sp99,7:0}{sp99 / dp99,12:0.00}");
}
Console.WriteLine();
decide.Report();
Console.WriteLine();
Console.WriteLine($"over the whole run, saturated rounds included (queueing, not cost), µs: map update p99 {map.GetProperty("p99Micros").GetDouble():0}, " +
                  $"p99.9 {map.GetProperty("p999Micros").GetDouble():0}; whole decide step p99 {stats.GetProperty("decideP99Micros").GetDouble():0}, " +
                  $"p99.9 {stats.GetProperty("decideP999Micros").GetDouble():0} — info");
Console.WriteLine($"steer counters: queries {stats.GetProperty("queries")}, cache hits {stats.GetProperty("cacheHits")}, forwarded {stats.GetProperty("forwarded")}, " +
                  $"upstream timeouts {stats.GetProperty("timeouts")}, SERVFAIL {stats.GetProperty("servFails")}, dropped {stats.GetProperty("dropped")}");
Console.WriteLine($"took {clock.Elapsed.TotalSeconds:0} s; load {BenchLab.LoadAverage()}");
return 0;
