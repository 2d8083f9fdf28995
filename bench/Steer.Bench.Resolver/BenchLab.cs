using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Steer.Bench.Resolver;

/// <summary>
/// Everything one run needs, on this machine's loopback, and its removal (also on failure or
/// Ctrl-C): an upstream dnsmasq answering every name under bench.test and ruled.test itself
/// (--address, TTL one hour), a dnsmasq forwarding to it with a cache (the baseline), and Steer's
/// daemon started as a user would (`steer start --dns-listen … --upstream …`), with a rule
/// `ruled.test via lo` so answers for those names are written into the kernel decision map.
/// Steer runs with its own run and state directories and its host programs on a throw-away
/// cgroup, so nothing of the machine's own is touched; the decisions bind nothing that runs.
/// </summary>
internal sealed class BenchLab : IDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];
    private readonly List<Process> _processes = [];
    private readonly string _steer;
    private bool _steerStarted;

    public BenchLab(string steer)
    {
        _steer = steer;
        Directory.CreateDirectory(RunDir);
        Directory.CreateDirectory(StateDir);
        Directory.CreateDirectory(CgroupPath);
        UpstreamPort = FreePort();
        DnsmasqPort = FreePort();
        SteerPort = FreePort();
    }

    public string RunDir => $"/tmp/steer-bench-resolver-run-{_id}";
    public string StateDir => $"/tmp/steer-bench-resolver-state-{_id}";
    public string WorkDir => RunDir;
    private string CgroupName => $"/steer-bench-resolver-{_id}";
    private static string CgroupRoot => File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).First(f => f[2] == "cgroup2")[1];
    private string CgroupPath => CgroupRoot + CgroupName;

    public int UpstreamPort { get; }
    public int DnsmasqPort { get; }
    public int SteerPort { get; }

    /// <summary>The baseline dnsmasq's pid (the second process started).</summary>
    public int DnsmasqPid => _processes[1].Id;

    /// <summary>CPU time (user + system) a process has used so far, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Starts everything; <paramref name="hostsFile"/> (dnsmasq --addn-hosts) gives the
    /// upstream the names of the decide phase, each with addresses of its own.</summary>
    public void Start(string hostsFile)
    {
        Spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=", "--listen-address=127.0.0.1",
            "--bind-interfaces", $"--port={UpstreamPort}", "--local-ttl=3600", "--address=/bench.test/10.200.0.1", "--address=/ruled.test/10.201.0.1",
            $"--addn-hosts={hostsFile}");
        Spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=", "--listen-address=127.0.0.1",
            "--bind-interfaces", $"--port={DnsmasqPort}", $"--server=127.0.0.1#{UpstreamPort}", "--cache-size=10000", "--dns-forward-max=1000");
        Steer("rule", "add", "ruled.test", "lo");
        Steer("rule", "add", "wr.test", "lo"); // the decide phase's names with map writes; nw.test: without
        Steer("start", "--cgroup", CgroupName, "--dns-listen", $"127.0.0.1:{SteerPort}",
            "--upstream", $"127.0.0.1:{UpstreamPort}", "--upstream", $"lo=127.0.0.1:{UpstreamPort}");
        _steerStarted = true;
        Thread.Sleep(300);
    }

    /// <summary>The daemon's `status --json` resolverStats.</summary>
    public JsonElement SteerStatus() => JsonDocument.Parse(Steer("status", "--json")).RootElement;

    public int SteerPid() => JsonDocument.Parse(Steer("status", "--json")).RootElement.GetProperty("pid").GetInt32();

    public string Steer(params string[] args)
    {
        var start = new ProcessStartInfo(_steer) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["STEER_RUN_DIR"] = RunDir;
        start.Environment["STEER_STATE_DIR"] = StateDir;
        start.Environment["STEER_MEASURE_DECIDE_CPU"] = "1"; // the daemon (started by `steer start`) inherits it
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"steer {string.Join(' ', args)}: exit {p.ExitCode}: {stderr.Trim()}");
        return stdout.Result;
    }

    private void Spawn(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        var p = Process.Start(start)!;
        _processes.Add(p);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        Thread.Sleep(200);
        if (p.HasExited)
            throw new InvalidOperationException($"{file} exited at once ({p.ExitCode})");
    }

    private static int FreePort()
    {
        for (int i = 0; i < 100; i++)
        {
            int port = Random.Shared.Next(20000, 30000);
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("no free port");
    }

    public void Dispose()
    {
        if (_steerStarted)
        {
            try { Steer("stop"); }
            catch (InvalidOperationException e) { Console.Error.WriteLine($"bench/resolver: {e.Message}"); }
        }
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                    p.WaitForExit(2000);
                }
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        for (int i = 0; i < 20 && Directory.Exists(CgroupPath); i++)
        {
            try { Directory.Delete(CgroupPath); }
            catch (IOException) { Thread.Sleep(100); }
        }
        foreach (var dir in new[] { RunDir, StateDir })
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static string Format(double v) => v.ToString("0", CultureInfo.InvariantCulture);
}
