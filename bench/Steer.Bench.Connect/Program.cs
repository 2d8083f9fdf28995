using System.Diagnostics;
using System.Globalization;
using Steer.Bench.Connect;

// bench/connect: what `steer run` costs a program's connect() calls, and what it adds to the
// start-up of a command, each against a baseline measured in the same run. Reports and exits 0
// whether or not the goals are met; exits 2 when it cannot measure at all.

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"bench/connect: {e.Message}\n{BenchOptions.Usage}");
    return 2;
}
if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
if (Steer.Lab.Lab.SkipReason is { } reason)
{
    Console.Error.WriteLine($"bench/connect: cannot run: {reason}");
    return 2;
}
var worker = Path.Combine(AppContext.BaseDirectory, "connect-worker");
foreach (var file in new[] { options.SteerPath, worker })
{
    if (!File.Exists(file))
    {
        Console.Error.WriteLine($"bench/connect: {file} does not exist (build it first: bench/connect/run.sh does)");
        return 2;
    }
}

// Steer treats root and other users differently (docs/run.md): with --as-user both workers
// drop to that user, so the plain one pays the same setpriv and has the same credentials.
var cpu = options.Cpu.ToString(CultureInfo.InvariantCulture);
string[] workerLoop;
if (options.User is { } user)
{
    if (UserIds(user) is not { } ids)
    {
        Console.Error.WriteLine($"bench/connect: --as-user: no user '{user}' in /etc/passwd");
        return 2;
    }
    workerLoop = ["setpriv", .. ids, "--clear-groups", worker, "loop", cpu];
}
else
{
    workerLoop = [worker, "loop", cpu];
}

var clock = Stopwatch.StartNew();
var output = Console.Out;
output.WriteLine($"bench/connect  {DateTime.Now:yyyy-MM-dd HH:mm}  kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}  " +
                 $"{Environment.ProcessorCount} cores  load {LoadAverage()}");
output.WriteLine($"steer: {Path.GetFullPath(options.SteerPath)}");
output.WriteLine($"steered variant: steer run --via {ConnectLab.Uplink} --exclude-file ({options.Exclusions} CIDRs) -- worker; " +
                 $"{options.Rounds} interleaved rounds per variant after {options.Warmup} warm-up, " +
                 $"{options.UdpOperations} UDP / {options.TcpOperations} TCP operations per round " +
                 $"in batches of {options.UdpBatch} / {options.TcpBatch}; " +
                 $"workers run as {options.User ?? "root"} on CPU {options.Cpu}");
output.WriteLine();

var scratch = Directory.CreateTempSubdirectory("steer-bench-connect-");
try
{
    await using var lab = await ConnectLab.BuildAsync(worker);
    var exclusions = Path.Combine(scratch.FullName, "exclude.txt");
    ExclusionFile.Write(exclusions, options.Exclusions, [ConnectLab.Target4, ConnectLab.Target6]);

    using var samplesFile = options.SamplesPath is null ? null : new SamplesFile(options.SamplesPath);
    var met = 0;
    var goals = 0;
    Probe[] probes =
    [
        new("udp", ConnectLab.Target4.ToString(), ConnectLab.UdpPort, options.UdpOperations, options.UdpBatch),
        new("tcp", ConnectLab.Target4.ToString(), ConnectLab.TcpPort, options.TcpOperations, options.TcpBatch),
        .. options.IPv6
            ? new Probe[]
            {
                new("udp", ConnectLab.Target6.ToString(), ConnectLab.UdpPort, options.UdpOperations, options.UdpBatch),
                new("tcp", ConnectLab.Target6.ToString(), ConnectLab.TcpPort, options.TcpOperations, options.TcpBatch),
            }
            : [],
    ];
    using (var plain = WorkerSession.Start("plain", lab.ClientNsPath, workerLoop))
    using (var steered = WorkerSession.Start("steered", lab.ClientNsPath,
               [options.SteerPath, "run", "--via", ConnectLab.Uplink, "--exclude-file", exclusions, "--", .. workerLoop]))
    {
        Report.ConnectHeader(output);
        foreach (var probe in probes)
        {
            var samples = Interleaved.Run(() => plain.Measure(probe), () => steered.Measure(probe), options.Warmup, options.Rounds);
            samplesFile?.Add(probe.Name, samples);
            goals++;
            if (Report.ConnectRow(output, probe, samples))
                met++;
        }
    }
    Report.ConnectLegend(output);

    // Host-wide (issue #3): the programs `steer start` attaches, with 100,000 decisions loaded,
    // against no Steer; the targets themselves are undecided, as most destinations of a host are.
    output.WriteLine($"host-wide socket programs with {options.Decisions:N0} decisions (steer start), against no Steer:");
    int uplinkIndex;
    using (var netlink = Steer.Linux.Netlink.NetlinkHandle.OpenAt(lab.ClientNsPath))
        uplinkIndex = netlink.GetLink(ConnectLab.Uplink)!.Index;
    using (var host = HostPlaneBench.Start(options.Decisions, uplinkIndex, [ConnectLab.Target4, ConnectLab.Target6]))
    using (var plain = WorkerSession.Start("plain", lab.ClientNsPath, workerLoop))
    using (var hosted = WorkerSession.Start("host-wide", lab.ClientNsPath, workerLoop))
    {
        host.Add(hosted.Pid);
        Report.ConnectHeader(output);
        foreach (var probe in probes)
        {
            var samples = Interleaved.Run(() => plain.Measure(probe), () => hosted.Measure(probe), options.Warmup, options.Rounds);
            goals++;
            if (Report.ConnectRow(output, probe, samples, Goals.HostWideRatio))
                met++;
        }
    }
    Report.ConnectLegend(output);

    Report.StartupHeader(output);
    string[] steerRun = [options.SteerPath, "run", "--via", ConnectLab.Uplink, "--"];
    goals++;
    if (Report.StartupRow(output, $"steer run --via {ConnectLab.Uplink} -- true",
            Startup.Measure(lab.ClientNsPath, steerRun, options.StartupRuns), Goals.StartupAddedMs))
        met++;
    if (options.Exclusions > 0)
    {
        string[] steerRunExcluding = [options.SteerPath, "run", "--via", ConnectLab.Uplink, "--exclude-file", exclusions, "--"];
        Report.StartupRow(output, $"  same, --exclude-file ({options.Exclusions})",
            Startup.Measure(lab.ClientNsPath, steerRunExcluding, options.StartupRuns), goalMs: null);
    }
    Report.StartupLegend(output);

    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{met} of {goals} goals met; took {clock.Elapsed.TotalSeconds:0} s; load {LoadAverage()}"));
    return 0;
}
catch (Exception e)
{
    // A command that failed, a lab that could not be built: say what, without a stack trace.
    Console.Error.WriteLine($"bench/connect: cannot measure: {e.Message}");
    return 2;
}
finally
{
    scratch.Delete(recursive: true);
}

// setpriv's --reuid/--regid for a user name, with the user's own group (as login would give it).
static string[]? UserIds(string user) =>
    File.ReadLines("/etc/passwd").Select(line => line.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == user) is { } fields
        ? [$"--reuid={fields[2]}", $"--regid={fields[3]}"]
        : null;

// The 1- and 5-minute load averages: how busy the machine was, i.e. how far to trust the figures.
static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(2));
