using System.Diagnostics;
using Steer.Linux.Netlink;
using Steer.Policy.Configuration;
using Steer.Routing.Compile;
using Steer.Routing.Kernel;
using Steer.Routing.Model;

namespace Steer.Routing;

/// <summary>Where the route plane works and what it tells.</summary>
/// <param name="NetnsPath">The network namespace (<c>/run/netns/NAME</c>); null: the caller's.</param>
/// <param name="SysctlStatePath">Where the originals of changed sysctls are kept (under /run/steer).</param>
/// <param name="Log">Where each reconcile's diff is written.</param>
/// <param name="PeriodicCheck">How often the kernel is checked without an event to go by (what
/// raises none: hand edits of Steer's nft chains, a sysctl set back); default 10 s.</param>
public sealed record RoutePlaneOptions(string? NetnsPath, string? SysctlStatePath, TextWriter Log, TimeSpan? PeriodicCheck = null);

/// <summary>One reconcile: what set it off, what it changed, how long from the first event to done.</summary>
public sealed record ReconcileReport(string Trigger, RoutePlanDiff Diff, TimeSpan Latency, DateTime FirstEventUtc, bool Applied, string? Error);

/// <summary>
/// The route plane: makes the kernel hold what steer.yaml's <c>uplinks:</c> and <c>sources:</c>
/// mean (see docs/routing.md), and keeps it so. <see cref="Apply"/> changes it all or nothing;
/// while uplinks are configured a monitor thread follows netlink events (addresses, gateways, links,
/// hand-deleted rules) and reconciles at once, logging each change as a diff.
/// <see cref="RemoveAll"/> removes everything Steer made and restores the sysctls it changed.
/// </summary>
public sealed class RoutePlane : IDisposable
{
    private readonly RoutePlaneOptions _options;
    private readonly RouteKernel _kernel;
    private readonly SysctlStore _sysctls;
    private readonly Lock _gate = new();
    private SteerConfig _config = SteerConfig.Empty;
    private RoutePlanDiff? _lastDiff;
    private NetlinkMonitor? _monitor;
    private Thread? _reader;
    private Thread? _worker;
    private readonly SemaphoreSlim _wake = new(0);

    private static readonly TimeSpan DefaultPeriodicCheck = TimeSpan.FromSeconds(10);
    private readonly Lock _pendingGate = new();
    private string? _pendingTrigger;
    private long _pendingSince;
    private string? _lastRefusal;
    private volatile bool _stopping;
    private int _reconciles;

    public RoutePlane(RoutePlaneOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _kernel = new RouteKernel(options.NetnsPath);
        _sysctls = new SysctlStore(options.SysctlStatePath);
    }

    /// <summary>Raised after every reconcile started by an event (not by <see cref="Apply"/>).</summary>
    public event Action<ReconcileReport>? Reconciled;

    public SteerConfig Config { get { lock (_gate) return _config; } }

    /// <summary>How many reconciles changed something.</summary>
    public int Reconciles => Volatile.Read(ref _reconciles);

    public string Summary
    {
        get
        {
            var config = Config;
            if (config.Uplinks.Count == 0)
                return "no uplinks";
            var symmetric = config.Uplinks.Count(u => u.Return == ReturnPath.Symmetric);
            return $"{config.Uplinks.Count} uplinks ({string.Join(", ", config.Uplinks.Select(u => $"{u.Interface}→table {u.Table}"))}), " +
                   $"{symmetric} symmetric, {config.Sources.Count} sources, {Reconciles} reconciles";
        }
    }

    /// <summary>What applying <paramref name="config"/> would change now; changes nothing.</summary>
    public RoutePlanDiff Plan(SteerConfig config, out HostFacts facts)
    {
        lock (_gate)
            return Compute(config, out facts);
    }

    /// <summary>
    /// Makes the kernel match <paramref name="config"/>, all or nothing; refuses (and changes
    /// nothing) on a collision or a problem. Adopts what an earlier daemon left: its objects are
    /// recognised by protocol, and only the difference is applied.
    /// </summary>
    /// <exception cref="RoutePlaneException">Refused or undone; the message says why.</exception>
    public RoutePlanDiff Apply(SteerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RoutePlanDiff diff;
        HostFacts facts;
        lock (_gate)
        {
            diff = Compute(config, out facts, out var desiredSysctls);
            if (!diff.CanApply)
                throw new RoutePlaneException("the route plane refuses this configuration; nothing changed:\n" +
                                              string.Join('\n', diff.Collisions.Concat(diff.Problems)));
            if (!diff.IsEmpty)
                DiffApplier.Apply(_kernel, diff, _sysctls, desiredSysctls);
            _config = config;
            _lastDiff = diff;
        }
        if (!diff.IsEmpty)
            _options.Log.WriteLine($"steer: routes: applied {diff.ChangeCount} changes\n{Indent(RouteText.Format(diff, facts))}");
        if (config.Uplinks.Count > 0)
            StartMonitor();
        return diff;
    }

    /// <summary>Removes every route, rule and nft chain Steer made and restores the sysctls it
    /// changed (<c>steer stop</c>). Stops following events.</summary>
    public RoutePlanDiff RemoveAll()
    {
        StopMonitor();
        var empty = SteerConfig.Empty;
        lock (_gate)
        {
            var diff = Compute(empty, out var facts);
            // Removing is never refused: collisions concern where Steer would write, not what it removes.
            if (!diff.IsEmpty)
                DiffApplier.Apply(_kernel, diff, _sysctls, new HashSet<string>());
            _config = empty;
            if (!diff.IsEmpty)
                _options.Log.WriteLine($"steer: routes: removed\n{Indent(RouteText.Format(diff, facts))}");
            return diff;
        }
    }

    /// <summary>Reads everything the diff depends on and computes it.</summary>
    private RoutePlanDiff Compute(SteerConfig config, out HostFacts facts) => Compute(config, out facts, out _);

    private RoutePlanDiff Compute(SteerConfig config, out HostFacts facts, out HashSet<string> desiredSysctls)
    {
        var saved = _sysctls.Load();
        (facts, var actual) = _kernel.Read(config, saved);
        var desired = RouteCompiler.Compile(config, facts);
        desiredSysctls = [.. desired.Sysctls.Select(s => s.Key)];
        return RouteDiff.Compute(desired, actual, config.Routing, saved, facts);
    }

    private void StartMonitor()
    {
        lock (_gate)
        {
            if (_monitor is not null)
                return;
            _stopping = false;
            _monitor = _options.NetnsPath is null ? NetlinkMonitor.Open() : NetlinkMonitor.OpenAt(_options.NetnsPath);
            var monitor = _monitor;
            _reader = new Thread(() => ReadLoop(monitor)) { IsBackground = true, Name = "routes monitor" };
            _worker = new Thread(WorkLoop) { IsBackground = true, Name = "routes reconcile" };
            _reader.Start();
            _worker.Start();
        }
        // Whatever changed between the apply and the monitor's first read is caught here.
        Trigger("monitor started");
    }

    private void StopMonitor()
    {
        NetlinkMonitor? monitor;
        lock (_gate)
        {
            monitor = _monitor;
            _monitor = null;
            _stopping = true;
        }
        if (monitor is null)
            return;
        monitor.Dispose();
        _wake.Release();
        _reader?.Join();
        _worker?.Join();
    }

    private void ReadLoop(NetlinkMonitor monitor)
    {
        var batch = new List<NetlinkEvent>();
        try
        {
            while (monitor.ReadEvents(batch))
            {
                foreach (var e in batch)
                    if (Relevant(e))
                    {
                        Trigger(e.ToString());
                        break;
                    }
                batch.Clear();
            }
        }
        catch (Exception e) when (e is Steer.Linux.Native.LinuxException or NetlinkParseException or InvalidOperationException)
        {
            // A message the decoder cannot read must not end reconciling: the periodic check goes on.
            _options.Log.WriteLine($"steer: routes: the netlink monitor stopped ({e.Message}); only the periodic check reconciles now");
        }
    }

    /// <summary>Events Steer's own changes cause are not worth a reconcile; every other change of
    /// links, addresses, routes and rules may be.</summary>
    private static bool Relevant(NetlinkEvent e) => e switch
    {
        RouteEvent { Change: RouteChange.Added, Route.Protocol: Ownership.Protocol } => false,
        RouteEvent { Route.Table: RouteTable.Local } => false,
        RuleEvent { Change: RuleChange.Added, Rule.Protocol: Ownership.Protocol } => false,
        _ => true,
    };

    private void Trigger(string why)
    {
        lock (_pendingGate)
        {
            if (_pendingTrigger is null)
            {
                _pendingTrigger = why;
                _pendingSince = Stopwatch.GetTimestamp();
            }
        }
        _wake.Release();
    }

    private void WorkLoop()
    {
        _kernel.EnterOnCurrentThread();
        while (true)
        {
            // What raises no netlink event (hand edits of Steer's nft chains, a sysctl set back)
            // is caught by a periodic check; it costs one read of the kernel.
            if (!_wake.Wait(_options.PeriodicCheck ?? DefaultPeriodicCheck) && !_stopping)
                Trigger("periodic check");
            if (_stopping)
                return;
            string? trigger;
            long since;
            lock (_pendingGate)
            {
                trigger = _pendingTrigger;
                since = _pendingSince;
                _pendingTrigger = null;
            }
            if (trigger is null)
                continue; // a wake whose work an earlier pass already did
            Reconcile(trigger, since);
        }
    }

    private void Reconcile(string trigger, long since)
    {
        var first = DateTime.UtcNow - Stopwatch.GetElapsedTime(since);
        RoutePlanDiff diff;
        HostFacts facts;
        string? error = null;
        bool applied = false;
        lock (_gate)
        {
            if (_stopping)
                return;
            try
            {
                diff = Compute(_config, out facts, out var desiredSysctls);
                if (!diff.IsEmpty && diff.CanApply)
                {
                    DiffApplier.Apply(_kernel, diff, _sysctls, desiredSysctls);
                    applied = true;
                }
                else if (!diff.CanApply)
                {
                    error = string.Join("; ", diff.Collisions.Concat(diff.Problems));
                }
            }
            catch (Exception e) when (e is RoutePlaneException or Steer.Linux.Native.LinuxException or Steer.Linux.Nft.NftException or IOException)
            {
                _options.Log.WriteLine($"steer: routes: reconcile after {trigger} failed: {e.Message}");
                return;
            }
        }
        var latency = Stopwatch.GetElapsedTime(since);
        if (applied)
        {
            Interlocked.Increment(ref _reconciles);
            _options.Log.WriteLine($"steer: routes: reconciled after {trigger} in {latency.TotalMilliseconds:F1} ms:\n{Indent(RouteText.Format(diff, facts))}");
        }
        else if (error is not null && error != _lastRefusal)
        {
            _options.Log.WriteLine($"steer: routes: not reconciled after {trigger}: {error}");
        }
        _lastRefusal = error;
        Reconciled?.Invoke(new ReconcileReport(trigger, diff, latency, first, applied, error));
    }

    private static string Indent(string text) =>
        string.Join('\n', text.TrimEnd('\n').Split('\n').Select(l => "  " + l));

    public void Dispose()
    {
        StopMonitor();
        _kernel.Dispose();
        _wake.Dispose();
    }
}
