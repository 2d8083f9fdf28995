using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Steer.Linux.Cgroups;
using Steer.Linux.Files;
using Steer.Linux.Mounts;
using Steer.Daemon.Planes;
using Steer.Linux.SocketPlane;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Daemon;

/// <summary>What `steer daemon` was started with. <paramref name="Dns"/> overrides steer.yaml's
/// dns: section (the --dns-listen and --upstream flags); <paramref name="TakeOverDns"/> points
/// the host's resolv.conf at the resolver until stop.</summary>
public sealed record DaemonOptions(string? ConfigPath, string? CgroupPath, DnsSettings? Dns = null, bool TakeOverDns = false);

/// <summary>
/// The daemon process: takes the pid lock, joins Steer's own cgroup (so the host plane never
/// touches its sockets), attaches or adopts the host plane, starts the name plane, and serves
/// the control socket until `steer stop` or SIGTERM; SIGHUP reloads the rules. Stopping removes
/// everything it made; dying (SIGKILL) leaves the decisions enforced, and the next start adopts.
/// </summary>
public sealed class DaemonHost : IDisposable
{
    private DaemonOptions _options;
    private readonly DaemonPaths _paths;
    private readonly TextWriter _log;
    private GcPauseLog? _gcLog;
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly CancellationTokenSource _stop = new();
    private NamePlane? _names;
    private Resolver? _resolver;
    private HostBinding? _host;
    private PlaneSet? _planes;
    private SteerConfig _config = SteerConfig.Empty;
    private string _attachedTo = "";
    private string? _flowWarning; // kept, not recomputed per `steer status`: the set may hold a million rules

    public DaemonHost(DaemonOptions options, DaemonPaths paths, TextWriter log)
    {
        _options = options;
        _paths = paths;
        _log = log;
    }

    public int Run()
    {
        Directory.CreateDirectory(_paths.RunDirectory);
        using var pidLock = ProcessLock.TryTake(_paths.PidLock)
            ?? throw new InvalidOperationException($"a Steer daemon is already running ({_paths.PidLock} is locked)");
        pidLock.WriteOwner();
        var loading = System.Diagnostics.Stopwatch.StartNew();
        var rules = LoadRules();
        _log.WriteLine($"steer: {rules.Count} rules loaded in {loading.ElapsedMilliseconds} ms");
        // The planes get steer.yaml's rules together with the state file's: the proxy honours a
        // `steer rule add … --port` as it honours a conditioned rule of steer.yaml.
        _config = LoadConfig(_options.ConfigPath).WithRules(rules);
        _flowWarning = FlowRulesWarning();
        if (_flowWarning is not null)
            _log.WriteLine($"steer: warning: {_flowWarning}");
        var dns = DnsInForce(_config.Dns);

        var cgroupRoot = SteerMounts.CgroupRoot();
        var own = Cgroup.Create(Path.Combine(cgroupRoot, "steer"));
        Cgroup.Create(Path.Combine(own.Path, "daemon")).AddProcess(Environment.ProcessId);
        var target = _options.CgroupPath is { } given ? Cgroup.Find(given) : new Cgroup(cgroupRoot);
        _attachedTo = target.Path;
        SteerMounts.BpfRoot();
        uint maxDecisions = (uint)(dns?.MaxDecisions ?? DnsSettings.DefaultMaxDecisions);
        _host = HostBinding.IsPinned(_paths.HostPins)
            ? HostBinding.Adopt(_paths.HostPins)
            : HostBinding.Attach(target, new HostBindingOptions(own, OwnCgroupLevel: 1, Capacity: maxDecisions), _paths.HostPins);
        if (_host.Decisions.Capacity != maxDecisions)
            _log.WriteLine($"steer: the adopted decision maps hold {_host.Decisions.Capacity:N0} decisions per family, not dns.max-decisions {maxDecisions:N0}: " +
                           "the kernel's maps keep their size; `steer stop` and `steer start` to change it");
        try
        {
            _names = new NamePlane(rules, _host.Decisions, _host.CidrRules, _log);
            if (dns is not null)
                _names.Grace = TimeSpan.FromSeconds(dns.GraceSeconds);
            _names.StartPassiveLearning();
            _gcLog = GcPauseLog.StartIfAsked(_log);
            if (dns is not null)
                _resolver = Resolver.Start(dns, _names, _log);
            var takeover = new Steer.Linux.Resolv.DnsTakeover(_paths.ResolvConf, _paths.StateDirectory);
            if (_options.TakeOverDns && _resolver is not null)
                takeover.TakeOver(_resolver.Listening.Address);
            _planes = PlaneSet.Start(_config, new PlaneContext(_log, _paths, _names.NameOf, () => _resolver?.Listening));
            using var signals = new[]
            {
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; _stop.Cancel(); }),
                PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; _stop.Cancel(); }),
                PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Reload(); }),
            }.AsDisposable();
            // Expired decisions are already ignored by the programs; sweeping gives their room
            // back and keeps `steer decision` honest, at least as often as the grace period; the
            // address → name map is swept with them, or it would keep every address ever answered.
            var sweepEvery = TimeSpan.FromSeconds(Math.Clamp(_names.Grace.TotalSeconds, 1, 30));
            using var sweeper = new Timer(_ => Sweep(), null, sweepEvery, sweepEvery);
            _log.WriteLine($"steer: daemon {Environment.ProcessId} up: {rules.Count} rules, host plane on {_attachedTo}, control socket {_paths.Socket}");
            ServeControl();
            return 0;
        }
        finally
        {
            _planes?.RemoveAll();
            var takeover = new Steer.Linux.Resolv.DnsTakeover(_paths.ResolvConf, _paths.StateDirectory);
            if (_resolver is not null && takeover.Restore(_resolver.Listening.Address) is { } warning)
                _log.WriteLine($"steer: {warning}");
            _resolver?.Dispose();
            _names?.Dispose();
            _host.Dispose();
            HostBinding.RemoveAll(_paths.HostPins);
            File.Delete(_paths.Socket);
            _log.WriteLine("steer: daemon stopped; its programs, pins and decisions are removed");
        }
    }

    private RuleSet LoadRules() => RuleSources.Load(_options.ConfigPath, _paths.RuleFile);

    /// <summary>Conditioned rules (from steer.yaml or `steer rule`) with no proxy to honour them.</summary>
    private string? FlowRulesWarning() => _config.Proxy is null ? FlowRuleWarning.WithoutProxy(_config.Rules) : null;

    /// <summary>New rules from the rule file, with the rest of the configuration as it is.</summary>
    private void ApplyRules(RuleSet rules) => ApplyConfig(_config.WithRules(rules), rules);

    /// <summary>A new configuration and its rules: the planes (the proxy) first, which may refuse,
    /// then the name plane. Throws PlaneException with nothing changed.</summary>
    private void ApplyConfig(SteerConfig next, RuleSet rules)
    {
        _planes?.Apply(next, _config);
        _names?.Apply(rules);
        _config = next;
        _flowWarning = FlowRulesWarning();
    }

    private static SteerConfig LoadConfig(string? path) =>
        path is null ? SteerConfig.Empty : ConfigLoader.LoadOrThrow(File.ReadAllText(path), path);

    private void Reload()
    {
        try
        {
            var rules = LoadRules();
            ApplyRules(rules);
            _log.WriteLine($"steer: rules reloaded: {rules.Count}");
        }
        catch (Exception e) when (e is FormatException or ConfigException or IOException or PlaneException)
        {
            _log.WriteLine($"steer: reload refused, the rules in force stay:\n{e.Message}");
        }
    }

    private void Sweep()
    {
        try { _host?.Decisions.Sweep(); }
        catch (Exception e) when (e is Steer.Linux.Native.LinuxException or ObjectDisposedException) { _log.WriteLine($"steer: sweep: {e.Message}"); }
        _names?.SweepAddressNames(); // the address → name map expires with the decisions
    }

    private DaemonStatus Status() => new(
        Running: true, Pid: Environment.ProcessId, UptimeSeconds: (DateTime.UtcNow - _started).TotalSeconds,
        Config: _options.ConfigPath, AttachedTo: _attachedTo, Rules: _names?.Rules.Count ?? 0,
        Decisions: _host?.Decisions.Count ?? 0, AnswersSeen: _names?.AnswersSeen ?? 0,
        DecisionsWritten: _names?.DecisionsWritten ?? 0, Resolver: _resolver?.Listening.ToString(),
        Queries: _resolver?.Queries ?? 0, CacheHits: _resolver?.CacheHits ?? 0, ResolverStats: _resolver?.Stats,
        MapUpdates: _names is null ? null : MapUpdateStats.From(_names.MapUpdates.Summary(), _names.MapUpdatesCpu?.Summary(), _names.NullSyscalls?.Summary()),
        Planes: _planes is null ? null : [.. _planes.Planes.Select(p => new PlaneStatus(p.Name, p.Summary))],
        Warnings: _flowWarning is { } warning ? [warning] : null, Runtime: RuntimeStats.Now(),
        DecisionCapacity: _host?.Decisions.Capacity ?? 0);

    /// <summary>The kernel's decisions joined with what only the daemon knows: the rule text
    /// behind each rule id (ids are positions in the rule set in force) and the answered name.</summary>
    private List<DecisionView> Decisions()
    {
        var rules = _names?.Rules;
        var views = new List<DecisionView>();
        foreach (var d in _host?.Decisions.Snapshot() ?? [])
        {
            string? rule = rules is not null && d.Rule >= 1 && d.Rule <= rules.Count ? rules[(int)d.Rule - 1].ToString() : null;
            views.Add(new DecisionView(d.Address.ToString(), d.InterfaceIndex, d.Rule, rule, _names?.NameOf(d.Address), d.Remaining?.TotalSeconds));
        }
        return views;
    }

    /// <summary>One request per connection, one line each way; requests are served one at a
    /// time, which is plenty for a command line.</summary>
    private void ServeControl()
    {
        File.Delete(_paths.Socket);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_paths.Socket));
        File.SetUnixFileMode(_paths.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(16);
        using var _ = _stop.Token.Register(() => listener.Dispose());
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { break; }
            using (client)
                Answer(client);
        }
    }

    private void Answer(Socket client)
    {
        ControlResponse response;
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: false);
            var line = new StreamReader(stream, Encoding.UTF8).ReadLine();
            var request = line is null ? null : JsonSerializer.Deserialize(line, ControlJson.Default.ControlRequest);
            response = request?.Command switch
            {
                null => new ControlResponse(false, "empty request"),
                _ when request.Version != ControlRequest.ProtocolVersion => new ControlResponse(false, $"protocol version {request.Version}; this daemon speaks {ControlRequest.ProtocolVersion}"),
                "status" => new ControlResponse(true, Status: Status()),
                "rdns" => new ControlResponse(true, Names: [.. (_names?.AddressNames() ?? []).Select(n => new AddressName(n.Address.ToString(), n.Name, Math.Round(n.Remaining.TotalSeconds)))]),
                "reload" => ReloadResponse(),
                "apply" => ApplyResponse(request.Config),
                "stop" => StopResponse(),
                "decisions" => new ControlResponse(true, Decisions: Decisions()),
                "conns" => Planes.ProxyControl.Conns(_planes),
                "loops" => Planes.ProxyControl.Loops(_planes),
                var other => new ControlResponse(false, $"unknown command '{other}' (status, rdns, decisions, conns, loops, reload, apply, stop)"),
            };
        }
        catch (JsonException e)
        {
            response = new ControlResponse(false, $"malformed request: {e.Message}");
        }
        client.Send(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(response, ControlJson.Default.ControlResponse) + "\n"));
    }

    private ControlResponse ReloadResponse()
    {
        try
        {
            var rules = LoadRules();
            ApplyRules(rules);
            return new ControlResponse(true, Message: $"{rules.Count} rules in force");
        }
        catch (Exception e) when (e is FormatException or ConfigException or IOException or PlaneException)
        {
            return new ControlResponse(false, $"nothing changed:\n{e.Message}");
        }
    }

    /// <summary>`steer apply`: the configuration (a new file, or the same one re-read) replaces
    /// the one in force, all or nothing: on any error nothing changes and the error is returned.
    /// Rules change at once; so does a changed dns: section (<see cref="ApplyDns"/>), unless the
    /// daemon was started with --dns-listen/--upstream, which keep precedence.</summary>
    private ControlResponse ApplyResponse(string? configPath)
    {
        var path = configPath ?? _options.ConfigPath;
        try
        {
            var rules = RuleSources.Load(path, _paths.RuleFile);
            var next = LoadConfig(path).WithRules(rules);
            var oldDns = DnsInForce(_config.Dns);
            var newDns = DnsInForce(next.Dns);
            var dnsNote = ApplyDns(oldDns, newDns); // first: it can fail (address in use) and is undone below
            try
            {
                ApplyConfig(next, rules);
            }
            catch (PlaneException)
            {
                ApplyDns(newDns, oldDns);
                throw;
            }
            _options = _options with { ConfigPath = path };
            return new ControlResponse(true, Message: $"applied {path ?? "(no steer.yaml)"}: {rules.Count} rules in force{dnsNote}");
        }
        catch (Exception e) when (e is FormatException or ConfigException or IOException or PlaneException or InvalidOperationException)
        {
            return new ControlResponse(false, $"nothing changed:\n{e.Message}");
        }
    }

    /// <summary>The dns: settings in force: steer.yaml's, with --dns-listen/--upstream (when the
    /// daemon was started with them) in place of its listen address and upstreams; the settings
    /// that have no flag (grace, cache-size, max-decisions) stay the file's.</summary>
    private DnsSettings? DnsInForce(DnsSettings? file) => (_options.Dns, file) switch
    {
        (null, _) => file,
        ({ } flags, null) => flags,
        ({ } flags, { } f) => flags with { GraceSeconds = f.GraceSeconds, CacheSizeBytes = f.CacheSizeBytes, MaxDecisions = f.MaxDecisions },
    };

    /// <summary>A changed dns: section takes effect in place: new upstreams are swapped in, a new
    /// listen address is bound before the old one is closed, a resolver starts or stops. Throws
    /// InvalidOperationException, changing nothing, when the new address cannot be bound.</summary>
    private string ApplyDns(DnsSettings? from, DnsSettings? to)
    {
        if (from == to)
            return "";
        string sizeNote = (from?.MaxDecisions ?? DnsSettings.DefaultMaxDecisions) != (to?.MaxDecisions ?? DnsSettings.DefaultMaxDecisions)
            ? $"; dns.max-decisions takes effect at the next `steer start` (the kernel's maps keep their size, {_host!.Decisions.Capacity:N0})"
            : "";
        _names!.Grace = TimeSpan.FromSeconds(to?.GraceSeconds ?? DnsSettings.DefaultGraceSeconds);
        if (to is null)
        {
            _resolver?.Dispose();
            _resolver = null;
            return "; the resolver is stopped" + sizeNote;
        }
        if (_resolver is null)
        {
            _resolver = Resolver.Start(to, _names!, _log);
            return $"; the resolver listens on {_resolver.Listening}" + sizeNote;
        }
        _resolver.Reconfigure(to);
        return $"; the resolver now listens on {_resolver.Listening} with {to.Upstreams.Count} upstreams" + sizeNote;
    }

    private ControlResponse StopResponse()
    {
        _stop.Cancel();
        return new ControlResponse(true, Message: "stopping");
    }

    public void Dispose()
    {
        _gcLog?.Dispose();
        _planes?.Dispose();
        _resolver?.Dispose();
        _names?.Dispose();
        _stop.Dispose();
    }
}

internal static class DisposableArray
{
    public static IDisposable AsDisposable(this IDisposable[] items) => new All(items);

    private sealed class All(IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
                item.Dispose();
        }
    }
}
