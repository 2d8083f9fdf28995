using System.Collections.Concurrent;
using System.Net;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;
using Steer.Proxy.Guard;
using Steer.Proxy.Names;
using Steer.Proxy.Native;
using Steer.Proxy.Relay;
using Steer.Proxy.Routing;
using Steer.Proxy.Udp;

namespace Steer.Proxy;

/// <summary>
/// The proxy's data plane: event loops, the TProxy (TCP+UDP, IPv4+IPv6) and SOCKS/HTTP inbounds,
/// outbound selection, the loop guard. Interception in the kernel (nftables, fwmark rule, local
/// table) is <see cref="Interception.InterceptionSetup"/>'s job; the engine only listens.
/// </summary>
public sealed class ProxyEngine : IDisposable
{
    private readonly TextWriter _log;
    private readonly Func<IPAddress, string?>? _names;
    private readonly EventLoop[] _loops;
    private readonly List<IDisposable> _listeners = [];
    private readonly ClosedFlows _closed = new();
    private volatile OutboundSelector _selector;
    private HashSet<ushort> _listenerPorts = [];
    private long _rejected;
    private long _dialFailures;
    private int _nextLoop;

    public ProxyEngine(ProxySettings settings, RuleSet rules, ProxyOptions options, TextWriter log, Func<IPAddress, string?>? names = null)
    {
        Options = options;
        _log = log;
        _names = names;
        Storm = new StormGuard(options.StormRate, 0);
        Guard = new LoopGuard(log, Storm) { Enabled = options.Guard };
        Watch = new NetworkWatch(options.NetnsPath, log);
        _selector = new OutboundSelector(rules, settings, Watch, names);
        Settings = settings;
        var count = options.Loops > 0 ? options.Loops : Math.Clamp(Environment.ProcessorCount, 1, 4);
        _loops = new EventLoop[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                _loops[i] = new EventLoop($"steer proxy {i}", options.NetnsPath, log);
                _loops[i].Start();
            }
            OpenListeners(settings);
            Watch.DefaultChanged += OnDefaultChanged;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ProxyOptions Options { get; }

    public ProxySettings Settings { get; private set; }

    public LoopGuard Guard { get; }

    public StormGuard Storm { get; }

    public NetworkWatch Watch { get; }

    internal OutboundSelector Selector => _selector;

    public long Rejected => Interlocked.Read(ref _rejected);

    public long DialFailures => Interlocked.Read(ref _dialFailures);

    /// <summary>Takes new rules and settings. Changed inbounds are opened before the old ones close,
    /// so a port that cannot be had leaves everything as it was.</summary>
    public void Apply(ProxySettings settings, RuleSet rules)
    {
        if (settings.Tproxy != Settings.Tproxy || settings.Socks != Settings.Socks)
        {
            var old = _listeners.ToList();
            foreach (var listener in old)
                listener.Dispose();
            _listeners.Clear();
            try
            {
                OpenListeners(settings);
            }
            catch
            {
                foreach (var listener in _listeners)
                    listener.Dispose();
                _listeners.Clear();
                OpenListeners(Settings);
                throw;
            }
        }
        _selector = new OutboundSelector(rules, settings, Watch, _names);
        Settings = settings;
    }

    private void OpenListeners(ProxySettings settings)
    {
        var ports = new HashSet<ushort>();
        try
        {
            foreach (var loop in _loops)
            {
                if (settings.Tproxy is { } tproxy)
                {
                    foreach (var any in new[] { FlowEndpoint.From(IPAddress.Any, tproxy.Port), FlowEndpoint.From(IPAddress.IPv6Any, tproxy.Port) })
                    {
                        _listeners.Add(TcpListener.Open(this, loop, any, transparent: true));
                        _listeners.Add(UdpInbound.Open(this, loop, any));
                    }
                    ports.Add((ushort)tproxy.Port);
                }
                if (settings.Socks is { } socks)
                {
                    _listeners.Add(TcpListener.Open(this, loop, FlowEndpoint.From(socks.Listen.Address, socks.Listen.Port), transparent: false));
                    ports.Add((ushort)socks.Listen.Port);
                }
            }
        }
        catch (ProxyException e)
        {
            foreach (var listener in _listeners)
                listener.Dispose();
            _listeners.Clear();
            throw new ProxyException($"proxy: {e.Message}", e);
        }
        _listenerPorts = ports;
    }

    /// <summary>
    /// The loop guard at the door of every TProxy flow: true (refused, counted, logged once per
    /// cause) when the source is one of our egress sockets, the destination is our own listener,
    /// or the storm guard or flow cap says no.
    /// </summary>
    internal bool Check(FlowEndpoint source, FlowEndpoint destination, bool udp, long nowMs, bool intercepted = true)
    {
        if (!Guard.Enabled)
            return false;
        // A port-only match (the egress socket's connect() has not yet told its address) counts
        // only for a source that is one of this host's addresses, as every re-entry's is.
        if (Guard.OwnEgress(source, udp, out var pending) is { } owner && (!pending || Watch.IsLocal(source)))
        {
            Guard.Refuse(LoopCause.OwnEgress, udp, $"{owner.Rule}|{owner.Interface}",
                () => $"ingress from {source} to {destination} is {owner}");
            return true;
        }
        if (intercepted && Watch.IsLocal(source))
        {
            // An intercepted flow from one of this host's own addresses is our traffic come back,
            // even when its egress socket is no longer registered: a UDP session that expired, a
            // socket just closed. (A re-entry cannot beat the registration: egress sockets are
            // registered between bind and connect, before their first packet.)
            Guard.Refuse(LoopCause.OwnEgress, udp, $"local|{source.ToIPAddress()}",
                () => $"ingress from {source} to {destination}: its source is this host's own address, so it is Steer's own traffic coming back (no live egress socket matched)");
            return true;
        }
        if (_listenerPorts.Contains(destination.Port) && Watch.IsLocal(destination))
        {
            var to = destination;
            Guard.Refuse(LoopCause.OwnListener, udp, to.ToString(), () => $"flow from {source} addressed to Steer's own listener {to}");
            return true;
        }
        if (Storm.Admit(destination, nowMs) is { } cause)
        {
            var to = destination;
            Guard.Refuse(cause, udp, cause == LoopCause.Storm ? to.ToString() : "flows",
                () => cause == LoopCause.Storm
                    ? $"more than {Storm.RatePerSecond} new flows/s to {to}; refusing with back-off"
                    : $"{Storm.LiveFlows} flows held, the limit for this process's file descriptors");
            return true;
        }
        return false;
    }

    /// <summary>The same checks for a flow whose destination a SOCKS/HTTP request named; refuses it itself.</summary>
    internal bool Admit(TcpFlow flow, bool udp)
    {
        if (flow.Destination.HasAddress && Check(flow.Source, flow.Destination, udp, Environment.TickCount64, intercepted: false))
        {
            flow.Abort();
            return false;
        }
        return true;
    }

    internal void CountRejected(OutboundChoice choice) => Interlocked.Increment(ref _rejected);

    internal void CountDialFailure(OutboundChoice? choice, int errno) => Interlocked.Increment(ref _dialFailures);

    internal void RememberClosed(in FlowEndpoint client, in FlowEndpoint destination) => _closed.Add(client, destination);

    internal ClosedFlows Closed => _closed;

    /// <summary>
    /// Steer's own resolver, when the daemon runs one: names in SOCKS/HTTP CONNECT requests for
    /// direct outbounds are resolved there, so the name's rule picks the upstream and the answer's
    /// decision is made in the kernel as for any other program. Asked at each resolution (the
    /// daemon's resolver may move or stop on `steer apply`); null, or an answer of null: the
    /// system resolver. A wildcard listen address is asked on loopback.
    /// </summary>
    public Func<IPEndPoint?>? NameServerSource
    {
        get => _nameServerSource;
        set => _nameServerSource = value;
    }

    /// <summary>A fixed <see cref="NameServerSource"/> (steer.yaml's <c>dns.listen</c>, or none).</summary>
    public IPEndPoint? NameServer
    {
        get => _nameServerSource?.Invoke();
        set => _nameServerSource = value is null ? null : () => value;
    }

    private volatile Func<IPEndPoint?>? _nameServerSource;
    private OwnResolver? _ownResolver; // the last one asked, reused while the address stays

    /// <summary>The address Steer's own resolver answers on for <paramref name="config"/>, or null when it has none.</summary>
    public static IPEndPoint? NameServerOf(SteerConfig config) =>
        config.Dns is { } dns ? dns.Listen.ToIPEndPoint() : null;

    private OwnResolver? OwnResolverNow()
    {
        if (_nameServerSource?.Invoke() is not { } listening)
            return null;
        var server = OwnResolver.ServerFor(listening.Address, listening.Port);
        var own = _ownResolver;
        if (own is null || !own.Server.Equals(server))
            _ownResolver = own = new OwnResolver(server, Options.NetnsPath);
        return own;
    }

    internal void Resolve(string name, ushort port, EventLoop loop, TcpFlow flow)
    {
        var own = OwnResolverNow();
        _ = Task.Run(async () =>
        {
            FlowEndpoint address = default;
            try
            {
                if (own is not null)
                {
                    if (await own.ResolveAsync(name).ConfigureAwait(false) is { } found)
                        address = FlowEndpoint.From(found, port);
                }
                else
                {
                    var addresses = await System.Net.Dns.GetHostAddressesAsync(name).ConfigureAwait(false);
                    if (addresses.Length > 0)
                        address = FlowEndpoint.From(addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses[0], port);
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
            loop.Post(() => flow.Resolved(address));
        });
    }

    /// <summary>When the default route moves, flows that followed it (<c>auto</c>) are reset: their
    /// sockets are bound to the old interface, and fail closed rather than leak elsewhere.</summary>
    private void OnDefaultChanged(bool ipv4, string? before, string? after)
    {
        _log.WriteLine($"steer: proxy: {(ipv4 ? "IPv4" : "IPv6")} default route now {(after is null ? "none (auto flows are refused)" : "via " + after)}{(before is null ? "" : $", was via {before}")}");
        if (before is null)
            return;
        foreach (var loop in _loops)
            loop.Post(() =>
            {
                foreach (var handler in loop.Handlers())
                    if (handler is TcpFlow { Choice: { } choice } flow && choice.Rule.StartsWith("default auto", StringComparison.Ordinal) && choice.Interface == before && flow.Destination.IsIPv4 == ipv4)
                        flow.Abort();
            });
    }

    /// <summary>Live flows, for <c>steer conns</c>.</summary>
    public IReadOnlyList<FlowInfo> Flows()
    {
        var flows = new List<FlowInfo>();
        foreach (var loop in _loops)
            flows.AddRange(loop.Invoke(() =>
            {
                var list = new List<FlowInfo>();
                foreach (var handler in loop.Handlers())
                {
                    if (handler is TcpFlow tcp)
                        list.Add(new FlowInfo("tcp", tcp.Inbound, tcp.Source.ToString(), tcp.Destination.HasAddress ? tcp.Destination.ToString() : $"{tcp.Name}:{tcp.Destination.Port}",
                            tcp.Name, tcp.Choice?.Rule, tcp.Choice?.Describe(), tcp.Choice?.Interface, tcp.EgressLocal.IsEmpty ? null : tcp.EgressLocal.ToString(),
                            tcp.BytesUp, tcp.BytesDown, tcp.State, tcp.Started));
                    else if (handler is UdpSession udp)
                        list.Add(new FlowInfo("udp", "tproxy", udp.Client.ToString(), udp.Destination.ToString(), null, udp.Choice.Rule, udp.Choice.Describe(),
                            udp.Choice.Interface, udp.EgressLocal.IsEmpty ? null : udp.EgressLocal.ToString(), udp.BytesUp, udp.BytesDown, udp.State, udp.Started));
                }
                return list;
            }));
        return flows;
    }

    /// <summary>Resets every flow, closes inbounds and loops.</summary>
    public void Dispose()
    {
        Watch.DefaultChanged -= OnDefaultChanged;
        foreach (var listener in _listeners)
            listener.Dispose();
        _listeners.Clear();
        foreach (var loop in _loops)
        {
            if (loop is null)
                continue;
            loop.Invoke(() =>
            {
                foreach (var handler in loop.Handlers())
                    if (handler is TcpFlow flow)
                        flow.Abort();
                    else if (handler is UdpSession session)
                        session.Close();
                return 0;
            });
            loop.Dispose();
        }
        Watch.Dispose();
    }
}

/// <summary>One live flow as <c>steer conns</c> shows it.</summary>
public sealed record FlowInfo(
    string Protocol, string Inbound, string Source, string Destination, string? Name, string? Rule, string? Outbound,
    string? Interface, string? EgressLocal, long BytesUp, long BytesDown, string State, DateTimeOffset Started);

/// <summary>
/// The 4-tuples of intercepted flows closed recently — candidates for TIME_WAIT under the client's
/// own 4-tuple, which would black-hole forwarded SYNs once the proxy stops. Bounded: the oldest go
/// first, as the kernel's TIME_WAIT (60 s) would let them go.
/// </summary>
internal sealed class ClosedFlows
{
    public const int Capacity = 65536;
    private readonly ConcurrentQueue<(FlowEndpoint, FlowEndpoint, long)> _order = new();
    private readonly ConcurrentDictionary<(FlowEndpoint, FlowEndpoint), long> _set = new();

    public void Add(in FlowEndpoint client, in FlowEndpoint destination)
    {
        var now = Environment.TickCount64;
        _set[(client, destination)] = now;
        _order.Enqueue((client, destination, now));
        while (_set.Count > Capacity || (_order.TryPeek(out var head) && now - head.Item3 > 60_000))
        {
            if (!_order.TryDequeue(out var old))
                break;
            if (_set.TryGetValue((old.Item1, old.Item2), out var at) && at == old.Item3)
                _set.TryRemove((old.Item1, old.Item2), out _);
        }
    }

    public bool Contains(in FlowEndpoint client, in FlowEndpoint destination) => _set.ContainsKey((client, destination));

    public int Count => _set.Count;
}
