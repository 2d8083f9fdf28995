using System.Collections.Concurrent;
using Steer.Proxy.Native;

namespace Steer.Proxy.Guard;

/// <summary>
/// Recognises a flow that is the proxy's own traffic coming back. Every egress socket's local
/// address and port is registered while it lives; an ingress flow whose source equals one is that
/// egress flow re-entering (a wrong ip rule, a missing bind, a neighbour routing it back) and is
/// refused before it can dial again — so one client flow makes at most one refused re-entry.
/// Refusals are counted per cause and each cause is logged once, saying which egress flow, rule and
/// interface it was.
/// </summary>
public sealed class LoopGuard(TextWriter log, StormGuard storm)
{
    // Keyed by family, protocol and local port: an egress socket is registered right after its
    // bind to port 0 and before connect(), when the kernel has chosen the port but not yet the
    // address. A port taken by bind(0) is the socket's alone (no SO_REUSEADDR on egress sockets),
    // so the key is unique; the address is filled in once connect() has chosen it.
    private readonly ConcurrentDictionary<(bool IPv4, ushort Port, bool Udp), (FlowEndpoint Local, EgressOwner Owner)> _egress = new();
    private readonly ConcurrentDictionary<string, LoopRecord> _causes = new();
    private long _refused;

    /// <summary>False only in tests that show what happens without the guard.</summary>
    public bool Enabled { get; set; } = true;

    public StormGuard Storm { get; } = storm;

    public long Refused => Interlocked.Read(ref _refused);

    public int LiveEgress => _egress.Count;

    public IReadOnlyCollection<LoopRecord> Causes => [.. _causes.Values];

    /// <summary>Registers an egress socket from its bind on: <paramref name="local"/> is its local
    /// address (unspecified until connect() has chosen one) and port.</summary>
    public void Register(in FlowEndpoint local, bool udp, EgressOwner owner) =>
        _egress[(local.IsIPv4, local.Port, udp)] = (local, owner);

    /// <summary>connect() has chosen the socket's local address: from now on only that address matches.</summary>
    public void Connected(in FlowEndpoint local, bool udp, EgressOwner owner)
    {
        var key = (local.IsIPv4, local.Port, udp);
        if (_egress.TryGetValue(key, out var entry) && ReferenceEquals(entry.Owner, owner))
            _egress.TryUpdate(key, (local, owner), entry);
    }

    /// <summary>The socket is closed (or its dial failed): its port may be someone else's next.</summary>
    public void Unregister(in FlowEndpoint local, bool udp, EgressOwner owner)
    {
        var key = (local.IsIPv4, local.Port, udp);
        if (_egress.TryGetValue(key, out var entry) && ReferenceEquals(entry.Owner, owner))
            _egress.TryRemove(new KeyValuePair<(bool, ushort, bool), (FlowEndpoint, EgressOwner)>(key, entry));
    }

    /// <summary>The egress flow this ingress source is, if it is one of ours. <paramref
    /// name="pending"/>: the socket's connect() has not yet told its address, so only the port
    /// matched — the caller accepts that only for a source that is one of this host's addresses.</summary>
    public EgressOwner? OwnEgress(in FlowEndpoint source, bool udp, out bool pending)
    {
        pending = false;
        if (!Enabled || !_egress.TryGetValue((source.IsIPv4, source.Port, udp), out var entry))
            return null;
        if (entry.Local.Address == source.Address)
            return entry.Owner;
        pending = entry.Local.IsUnspecified;
        return pending ? entry.Owner : null;
    }

    /// <summary>Counts a refusal; the first of its cause is logged.</summary>
    public void Refuse(LoopCause cause, bool udp, string key, Func<string> describe)
    {
        Interlocked.Increment(ref _refused);
        var protocol = udp ? "udp" : "tcp";
        var fullKey = $"{cause}|{protocol}|{key}";
        if (!_causes.TryGetValue(fullKey, out var record))
        {
            var created = new LoopRecord(cause, protocol, key, describe(), DateTimeOffset.UtcNow);
            record = _causes.GetOrAdd(fullKey, created);
            if (ReferenceEquals(record, created))
                log.WriteLine($"steer: proxy: refused {protocol} flow ({Text(cause)}): {record.Description}; further refusals of this cause are counted in `steer loops`");
        }
        record.Hit();
    }

    public static string Text(LoopCause cause) => cause switch
    {
        LoopCause.OwnEgress => "loop: its source is Steer's own egress flow",
        LoopCause.OwnListener => "loop: addressed to Steer's own listener",
        LoopCause.Storm => "storm guard: too many new flows to one destination",
        _ => "capacity: too many flows for the file descriptor limit",
    };
}
