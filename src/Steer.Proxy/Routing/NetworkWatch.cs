using System.Collections.Frozen;
using System.Net.Sockets;
using Steer.Linux.Netlink;
using Steer.Proxy.Native;

namespace Steer.Proxy.Routing;

/// <summary>
/// What the proxy follows live through netlink: the interface of the main table's default route
/// per family (the <c>auto</c> outbound) and the host's own addresses (to spot a flow addressed to
/// Steer's own listener). A monitor thread re-reads both after every link, address or route
/// change, so a missed or coalesced event cannot leave a stale answer behind.
/// </summary>
public sealed class NetworkWatch : IDefaultInterfaces, IDisposable
{
    private readonly string? _netns;
    private readonly TextWriter _log;
    private readonly NetlinkMonitor _monitor;
    private readonly Thread _thread;
    private volatile string? _default4;
    private volatile string? _default6;
    private volatile FrozenSet<UInt128> _local = FrozenSet<UInt128>.Empty;

    public NetworkWatch(string? netnsPath, TextWriter log)
    {
        _netns = netnsPath;
        _log = log;
        // Monitor first, then read: no change between the two can be lost.
        _monitor = netnsPath is null ? NetlinkMonitor.Open(NetlinkGroups.Links | NetlinkGroups.Addresses | NetlinkGroups.Routes)
                                     : NetlinkMonitor.OpenAt(netnsPath, NetlinkGroups.Links | NetlinkGroups.Addresses | NetlinkGroups.Routes);
        Refresh();
        _thread = new Thread(Watch) { IsBackground = true, Name = "steer proxy netlink" };
        _thread.Start();
    }

    /// <summary>Raised on the watch thread when the default interface of a family changes.</summary>
    public event Action<bool, string?, string?>? DefaultChanged;

    public string? DefaultInterface(bool ipv4) => ipv4 ? _default4 : _default6;

    public bool IsLocal(in FlowEndpoint endpoint) => _local.Contains(endpoint.Address);

    private void Watch()
    {
        var events = new List<NetlinkEvent>();
        while (_monitor.ReadEvents(events))
        {
            events.Clear();
            try { Refresh(); }
            catch (Exception e) { _log.WriteLine($"steer: proxy: reading routes: {e.Message}"); }
        }
    }

    private void Refresh()
    {
        using var handle = _netns is null ? NetlinkHandle.Open() : NetlinkHandle.OpenAt(_netns);
        var links = handle.ListLinks().ToDictionary(l => l.Index);
        var routes = handle.ListRoutes(null, RouteTable.Main);
        var next4 = DefaultOf(routes, links, AddressFamily.InterNetwork);
        var next6 = DefaultOf(routes, links, AddressFamily.InterNetworkV6);
        var local = new HashSet<UInt128>();
        foreach (var address in handle.ListAddresses())
            local.Add(FlowEndpoint.From(address.Address, 0).Address);
        _local = local.ToFrozenSet();
        var (old4, old6) = (_default4, _default6);
        _default4 = next4;
        _default6 = next6;
        if (old4 != next4)
            DefaultChanged?.Invoke(true, old4, next4);
        if (old6 != next6)
            DefaultChanged?.Invoke(false, old6, next6);
    }

    private static string? DefaultOf(IReadOnlyList<Route> routes, Dictionary<int, Link> links, AddressFamily family)
    {
        Route? best = null;
        foreach (var route in routes)
        {
            if (route.Family != family || route.Destination.PrefixLength != 0 || route.Type != RouteType.Unicast || route.OutputInterface is null)
                continue;
            if (best is null || (route.Metric ?? 0) < (best.Metric ?? 0))
                best = route;
        }
        return best?.OutputInterface is { } index && links.TryGetValue(index, out var link) && link.IsUp ? link.Name : null;
    }

    public void Dispose()
    {
        _monitor.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
