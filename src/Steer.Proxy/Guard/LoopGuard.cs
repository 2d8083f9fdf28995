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
    private readonly ConcurrentDictionary<(FlowEndpoint Local, bool Udp), EgressOwner> _egress = new();
    private readonly ConcurrentDictionary<string, LoopRecord> _causes = new();
    private long _refused;

    /// <summary>False only in tests that show what happens without the guard.</summary>
    public bool Enabled { get; set; } = true;

    public StormGuard Storm { get; } = storm;

    public long Refused => Interlocked.Read(ref _refused);

    public int LiveEgress => _egress.Count;

    public IReadOnlyCollection<LoopRecord> Causes => [.. _causes.Values];

    public void Register(in FlowEndpoint local, bool udp, EgressOwner owner) => _egress[(local, udp)] = owner;

    public void Unregister(in FlowEndpoint local, bool udp) => _egress.TryRemove((local, udp), out _);

    /// <summary>The egress flow this ingress source is, if it is one of ours.</summary>
    public EgressOwner? OwnEgress(in FlowEndpoint source, bool udp) =>
        Enabled && _egress.TryGetValue((source, udp), out var owner) ? owner : null;

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
