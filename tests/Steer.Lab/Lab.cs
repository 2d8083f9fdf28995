using System.Diagnostics;

namespace Steer.Lab;

/// <summary>
/// A throw-away network of namespaces for kernel tests. Build one from a <see cref="Topology"/>,
/// use its hosts, dispose it: namespaces (and their veths, TUNs, routes, nft tables) and every
/// process inside are removed, also when the test failed. Namespaces are named
/// <c>stl-PID-N-HOST</c>, so parallel tests and parallel test runs never collide, and leftovers of
/// a killed run are swept by the next one. A lab never touches the root namespace.
/// <code>
/// using var lab = await Lab.BuildAsync(t =>
/// {
///     var host = t.Host("host");
///     var server = t.Host("server");
///     t.Link(host.End("up1", "10.1.0.2/24", "fd00:1::2/64"), server.End("s1", "10.1.0.1/24", "fd00:1::1/64"));
///     server.Loopback("10.9.0.1/32");
///     host.Route("default via 10.1.0.1");
/// });
/// </code>
/// </summary>
public sealed class Lab : IDisposable, IAsyncDisposable
{
    private readonly Dictionary<string, LabHost> _hosts;
    private readonly Lock _disposeGate = new();
    private Task? _disposal;

    private Lab(string runId, IEnumerable<LabHost> hosts)
    {
        RunId = runId;
        _hosts = hosts.ToDictionary(h => h.Name);
    }

    /// <summary><c>stl-PID-N</c>: the prefix of every namespace of this lab.</summary>
    public string RunId { get; }

    /// <summary>How long <see cref="BuildAsync"/> took.</summary>
    public TimeSpan BuildTime { get; private set; }

    public IReadOnlyCollection<LabHost> Hosts => _hosts.Values;

    public LabHost this[string name] => _hosts.TryGetValue(name, out var host) ? host : throw new KeyNotFoundException($"no host '{name}' in lab {RunId}");

    /// <summary>Why labs cannot run here (not root, no <c>ip</c>), or null when they can. Tests
    /// call <c>Assert.Skip</c> with it.</summary>
    public static string? SkipReason =>
        !Environment.IsPrivilegedProcess ? "network namespace labs need root (CAP_NET_ADMIN, CAP_SYS_ADMIN)"
        : !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip") ? "iproute2 (ip) is not installed"
        : null;

    /// <summary>Removes namespaces of lab runs whose owner process is dead, and returns their names.
    /// <see cref="BuildAsync"/> does this once per process by itself.</summary>
    public static async Task<IReadOnlyList<string>> SweepOrphansAsync()
    {
        var orphans = Sweeper.Orphans();
        await NamespaceRemoval.RemoveAsync(orphans);
        return orphans;
    }

    /// <summary>Creates the namespaces and links <paramref name="describe"/> declares and configures
    /// them. On failure, whatever was created is removed before the exception propagates.</summary>
    public static async Task<Lab> BuildAsync(Action<Topology> describe)
    {
        var watch = Stopwatch.StartNew();
        await Sweeper.EnsureSweptAsync();
        var topology = new Topology(LabNames.NextRunId());
        describe(topology);
        var lab = new Lab(topology.RunId, topology.Hosts);
        LiveLabs.Add(lab);
        try
        {
            await lab.CreateAsync(topology);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        lab.BuildTime = watch.Elapsed;
        return lab;
    }

    private async Task CreateAsync(Topology topology)
    {
        // One ip process creates every namespace and veth pair; each veth end is created directly
        // in its namespace, never in the root one.
        var lines = topology.Hosts.Select(h => $"netns add {h.Namespace}").ToList();
        lines.AddRange(topology.Links.Select(l =>
            $"link add name {l.A.Interface} netns {l.A.Host.Namespace} type veth peer name {l.B.Interface} netns {l.B.Host.Namespace}"));
        await IpBatch.RunAsync(null, lines);

        var hosts = topology.Hosts.ToList();
        await Task.WhenAll(hosts.Select(h => Task.Run(h.OpenTuns)));
        await Task.WhenAll(hosts.Select(h => h.ConfigureInterfacesAsync()));
        await Task.WhenAll(hosts.Select(h => Task.Run(h.ApplySysctls)));
        await Task.WhenAll(hosts.Select(h => h.ConfigureRoutingAsync()));
        await Task.WhenAll(hosts.Select(h => h.WaitUntilAddressesUsableAsync()));
        foreach (var host in hosts)
            host.MarkBuilt();
    }

    /// <summary>Stops echo services, TUNs and processes, kills anything else inside the
    /// namespaces, deletes them. Goes through every step even when one fails, then reports all.
    /// A second caller (the exit hook racing a test's own dispose) waits for the first.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_disposeGate)
            _disposal ??= Task.Run(RemoveAsync);
        return new ValueTask(_disposal);
    }

    private async Task RemoveAsync()
    {
        var errors = new List<Exception>();
        foreach (var host in _hosts.Values)
            await host.StopAsync(errors);
        try
        {
            await NamespaceRemoval.RemoveAsync(_hosts.Values.Select(h => h.Namespace).ToList());
        }
        catch (Exception e)
        {
            errors.Add(e);
        }
        LiveLabs.Remove(this);
        if (errors.Count > 0)
            throw new AggregateException($"removing lab {RunId}", errors);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
