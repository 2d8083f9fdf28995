using System.Diagnostics;
using System.Globalization;
using System.Text;
using Steer.Policy.Configuration;

// bench/rules: how long Steer takes to load N suffix rules and how much memory they hold, against
// dnsmasq loading the same N domains as server=/NAME/ADDR lines (its --test mode parses the whole
// configuration and exits), in the same run. Each side runs in a fresh process, three times.
//   dotnet run -c Release --project bench/Steer.Bench.Rules [-- --rules N]
// The child mode `--load-steer FILE` is what the parent times.
if (args is ["--load-steer", var file])
    return LoadSteer(file);
if (args is ["--load-list", var listPath])
    return LoadList(listPath);
if (args is ["--load-state", var statePath])
    return LoadState(statePath);
if (args is ["--profile-state", var profilePath])
    return ProfileState(profilePath);
if (args is ["--write-state", var writePath, var writeCount])
{
    File.WriteAllText(writePath, new StringBuilder().AppendJoin("", Names(int.Parse(writeCount, CultureInfo.InvariantCulture)).Select(d => $"domain {d} via wg0\n")).ToString());
    return 0;
}

// --rules N (default 1,000,000); --quick: only the baseline, the state file and the daemon (the
// rows the goal is about), for a machine that is not idle.
int count = args.SkipWhile(a => a != "--rules").Skip(1).FirstOrDefault() is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1_000_000;
var quick = args.Contains("--quick");
var dir = Directory.CreateTempSubdirectory("steer-bench-rules-").FullName;
try
{
    var names = Names(count);
    var steerFile = Path.Combine(dir, "steer.yaml");
    var listFile = Path.Combine(dir, "domains.txt");
    File.WriteAllText(listFile, string.Join('\n', names) + "\n");
    var stateFile = Path.Combine(dir, "rules");
    File.WriteAllText(stateFile, new StringBuilder().AppendJoin("", names.Select(d => $"domain {d} via wg0\n")).ToString());
    var dnsmasqFile = Path.Combine(dir, "dnsmasq.conf");
    File.WriteAllText(steerFile, new StringBuilder("rules:\n").AppendJoin("", names.Select(d => $"  - {{ domain: {d}, via: wg0 }}\n")).ToString());
    File.WriteAllText(dnsmasqFile, new StringBuilder("no-resolv\nport=0\n").AppendJoin("", names.Select(d => $"server=/{d}/10.64.0.1\n")).ToString());

    Console.WriteLine($"bench/rules  {DateTime.Now:yyyy-MM-dd HH:mm}  {Environment.ProcessorCount} cores  {count:N0} suffix rules  load average {LoadAverage()}");
    var list = new List<(double Seconds, double PeakMiB, double HeapMiB)>();
    var yaml = new List<(double Seconds, double PeakMiB, double HeapMiB)>();
    var state = new List<(double Seconds, double PeakMiB, double HeapMiB)>();
    var dnsmasq = new List<(double Seconds, double PeakMiB)>();
    var daemon = new List<(double Seconds, double PeakMiB, double HeapMiB)>();
    var steerBinary = SteerBinary();
    for (int round = 0; round < 3; round++)
    {
        dnsmasq.Add(RunDnsmasq(dnsmasqFile));
        if (!quick)
        {
            list.Add(RunSteer("--load-list", listFile));
            yaml.Add(RunSteer("--load-steer", steerFile));
        }
        state.Add(RunSteer("--load-state", stateFile));
        if (steerBinary is not null)
            daemon.Add(RunDaemon(steerBinary, stateFile));
    }
    var d = (Seconds: Median(dnsmasq.Select(x => x.Seconds)), Peak: Median(dnsmasq.Select(x => x.PeakMiB)));
    Console.WriteLine();
    Console.WriteLine($"{"",-34} {"load s",7} {"ratio",6} {"peak MiB",9} {"ratio",6} {"held MiB",9}  goal: < 3 s, < 300 MB");
    Console.WriteLine($"{"dnsmasq --test, server=/NAME/ADDR",-34} {d.Seconds,7:F2} {"",6} {d.Peak,9:F0} {"",6} {"",9}  (baseline)");
    foreach (var (label, rows) in new[] { ("steer, domain list (rule import)", list), ("steer, rule state file (load)", state), ("steer, steer.yaml rules:", yaml), ("steer start: the daemon, ready", daemon) })
    {
        if (rows.Count == 0 && quick && label != "steer start: the daemon, ready")
            continue;
        if (rows.Count == 0)
        {
            Console.WriteLine($"{label,-34} not measured: build artifacts/steer/steer first (scripts/publish.sh), and run as root");
            continue;
        }
        var s = (Seconds: Median(rows.Select(x => x.Seconds)), Peak: Median(rows.Select(x => x.PeakMiB)), Heap: Median(rows.Select(x => x.HeapMiB)));
        var verdict = s.Seconds < 3 && s.Peak * 1.048576 < 300 ? "PASS" : s.Seconds < 3 && s.Heap * 1.048576 < 300 ? "time PASS, held PASS, peak FAIL" : "FAIL";
        Console.WriteLine($"{label,-34} {s.Seconds,7:F2} {s.Seconds / d.Seconds,6:F2} {s.Peak,9:F0} {s.Peak / d.Peak,6:F2} {s.Heap,9:F0}  {verdict}");
    }
    Console.WriteLine($"load average at the end: {LoadAverage()}");
    Console.WriteLine("Medians of 3 fresh processes each. load s: read the file, validate, build the rule set.");
    Console.WriteLine("peak MiB: max RSS (dnsmasq: GNU time %M); held MiB: managed heap after a full collection.");
    Console.WriteLine("steer start: wall time until the daemon is ready (rules loaded, programs attached); peak is the");
    Console.WriteLine("daemon's VmHWM, held its VmRSS once ready.");
    return 0;
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static int LoadSteer(string file)
{
    var clock = Stopwatch.StartNew();
    var result = ConfigLoader.Load(File.ReadAllText(file), file);
    var elapsed = clock.Elapsed.TotalSeconds;
    if (result.Config is not { } config)
    {
        Console.Error.WriteLine(string.Join('\n', result.Errors.Take(5)));
        return 2;
    }
    var held = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
    GC.KeepAlive(config);
    var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    Console.WriteLine(FormattableString.Invariant($"{elapsed} {peak} {held} {config.Rules.Count}"));
    return 0;
}

static int LoadList(string file)
{
    var clock = Stopwatch.StartNew();
    using var reader = new StreamReader(file);
    var rules = Steer.Policy.Rules.RuleImport.Parse(reader, file, new Steer.Policy.Rules.ViaAction("wg0"));
    var set = Steer.Policy.Rules.RuleSet.Build(rules);
    var elapsed = clock.Elapsed.TotalSeconds;
    rules = null;
    var held = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
    GC.KeepAlive(set);
    var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    Console.WriteLine(FormattableString.Invariant($"{elapsed} {peak} {held} {set.Count}"));
    return 0;
}

static int LoadState(string file)
{
    var clock = Stopwatch.StartNew();
    using var reader = new StreamReader(file);
    var set = RuleFile.Parse(reader, file);
    var elapsed = clock.Elapsed.TotalSeconds;
    var held = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
    GC.KeepAlive(set);
    var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    Console.WriteLine(FormattableString.Invariant($"{elapsed} {peak} {held} {set.Count}"));
    return 0;
}

// Where the time and the memory of loading the state file go, phase by phase: wall time,
// bytes allocated, collections, and the managed heap each phase leaves behind.
static int ProfileState(string file)
{
    var clock = Stopwatch.StartNew();
    long allocated = GC.GetTotalAllocatedBytes(precise: true);
    int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
    var lastCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    void Phase(string name)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        var now = GC.GetTotalAllocatedBytes(precise: true);
        var info = GC.GetGCMemoryInfo();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"{name,-10} {seconds,6:F3} s  cpu {cpu - lastCpu,6:F3} s  alloc {(now - allocated) / 1048576.0,7:F1} MiB  gc {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}  heap {info.HeapSizeBytes / 1048576.0,6:F1} MiB  committed {info.TotalCommittedBytes / 1048576.0,6:F1} MiB  ws {Environment.WorkingSet / 1048576.0,6:F1} MiB  peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,6:F1} MiB"));
        allocated = now;
        lastCpu = cpu;
        (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        clock.Restart();
    }
    Phase("start");
    if (Environment.GetEnvironmentVariable("STEER_BENCH_PHASES") == "1")
    {
        // The parts on their own: reading lines, then parsing them into rules (dropped at once).
        using (var reader = new StreamReader(file))
            while (reader.ReadLine() is not null) { }
        Phase("readlines");
        foreach (var rule in RuleFile.ReadFile(file))
            GC.KeepAlive(rule);
        Phase("parse");
    }
    // As the daemon does (RuleSources): the file streamed into the set.
    if (!Steer.Policy.Rules.RuleSet.TryBuild(RuleFile.ReadFile(file), RuleFile.EstimateCount(file), out var set, out _))
        return 2;
    Phase("load");
    var held = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
    Phase("collect");
    Console.WriteLine(FormattableString.Invariant($"held {held:F1} MiB, {set.Count} rules"));
    GC.KeepAlive(set);
    return 0;
}

// The published steer (scripts/publish.sh), when this runs as root: the daemon's own figures.
static string? SteerBinary()
{
    var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../artifacts/steer/steer"));
    return File.Exists(path) && Environment.UserName == "root" ? path : null;
}

// `steer start` on a copy of the rule state file, in run and state directories of its own, with
// the host programs on a throw-away cgroup: time until it returns (the daemon is ready), and the
// daemon's peak and current RSS; then `steer stop`.
static (double, double, double) RunDaemon(string steer, string stateFile)
{
    var runDir = Directory.CreateTempSubdirectory("steer-bench-run-").FullName;
    var stateDir = Directory.CreateTempSubdirectory("steer-bench-state-").FullName;
    var cgroupRoot = Steer.Linux.Mounts.SteerMounts.CgroupRoot();
    var cgroup = Path.Combine(cgroupRoot, "steer-bench-rules");
    Directory.CreateDirectory(cgroup);
    File.Copy(stateFile, Path.Combine(stateDir, "rules"));
    var env = new Dictionary<string, string> { ["STEER_RUN_DIR"] = runDir, ["STEER_STATE_DIR"] = stateDir };
    try
    {
        var clock = Stopwatch.StartNew();
        RunWith(env, steer, "start", "--cgroup", "/steer-bench-rules");
        var seconds = clock.Elapsed.TotalSeconds;
        var status = System.Text.Json.JsonDocument.Parse(RunWith(env, steer, "status", "--json"));
        var pid = status.RootElement.GetProperty("pid").GetInt32();
        double Kib(string key) => double.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(key, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var (peak, held) = (Kib("VmHWM:") / 1024, Kib("VmRSS:") / 1024);
        RunWith(env, steer, "stop");
        return (seconds, peak, held);
    }
    finally
    {
        Directory.Delete(cgroup);
        Directory.Delete(runDir, recursive: true);
        Directory.Delete(stateDir, recursive: true);
    }
}

static (double, double, double) RunSteer(string mode, string file)
{
    var output = Run(wantStderr: false, Environment.ProcessPath!, mode, file).Split(' ');
    return (Parse(output[0]), Parse(output[1]), Parse(output[2]));
}

static (double, double) RunDnsmasq(string file)
{
    // GNU time: %e wall seconds, %M max RSS in KiB; it writes them to stderr after dnsmasq's own.
    var stderr = Run(wantStderr: true, "/usr/bin/time", "-f", "TIME %e %M", "dnsmasq", "--test", $"--conf-file={file}");
    var fields = stderr.Split('\n').Last(l => l.StartsWith("TIME ", StringComparison.Ordinal)).Split(' ');
    return (Parse(fields[1]), Parse(fields[2]) / 1024);
}

static string Run(bool wantStderr, string program, params string[] arguments) =>
    RunIn(new Dictionary<string, string>(), wantStderr, program, arguments);

static string RunWith(Dictionary<string, string> env, string program, params string[] arguments) =>
    RunIn(env, wantStderr: false, program, arguments);

static string RunIn(Dictionary<string, string> env, bool wantStderr, string program, string[] arguments)
{
    var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var (key, value) in env)
        info.Environment[key] = value;
    foreach (var argument in arguments)
        info.ArgumentList.Add(argument);
    using var process = Process.Start(info)!;
    var stdoutTask = process.StandardOutput.ReadToEndAsync();
    var stderrTask = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {stderrTask.Result}");
    return (wantStderr ? stderrTask.Result : stdoutTask.Result).Trim();
}

// The figures move with what else runs: say how busy the machine was.
static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

static List<string> Names(int count)
{
    // Realistic-looking, distinct: two random labels under one of a few hundred registrable domains.
    var random = new Random(20261122);
    var names = new HashSet<string>(count);
    const string letters = "abcdefghijklmnopqrstuvwxyz0123456789";
    string Label(int min, int max) => string.Create(random.Next(min, max), random, (span, r) => { for (int i = 0; i < span.Length; i++) span[i] = letters[r.Next(letters.Length)]; });
    string[] tlds = ["com", "net", "org", "io", "de", "co.uk", "example"];
    while (names.Count < count)
        names.Add($"{Label(3, 12)}.{Label(4, 14)}.{tlds[random.Next(tlds.Length)]}");
    return [.. names];
}
