using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Steer.Dns;
using Steer.Policy.Configuration;

namespace Steer.Resolver.Upstreams;

/// <summary>What the forwarder hands back: an upstream's answer to a pending query (its bytes
/// may be edited in place), or the news that every attempt failed.</summary>
internal interface IAnswerFinisher
{
    void Finish(PendingQuery query, Span<byte> answer, Span<byte> scratch);

    void Fail(PendingQuery query);
}

/// <summary>
/// Sends cache misses to the upstreams of their route and sees each through: a random ID per
/// attempt, a timeout per attempt, failover along the group on timeout, send error, SERVFAIL or
/// REFUSED, TCP when an answer comes back truncated. Upstream datagrams that do not parse, answer
/// no pending query, or answer another question are dropped and counted (RFC 5452 §9.1).
/// </summary>
internal sealed class Forwarder : IDisposable
{
    private readonly ResolverOptions _options;
    private readonly ResolverCounters _counters;
    private readonly ThrottledLog _notes;
    private readonly AttemptTimeouts _timeouts = new();
    private readonly Thread _timer;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, UpstreamGroup> _untaggedVia = new(StringComparer.Ordinal);
    private Groups _groups;
    private long _lastToken;

    private sealed record Groups(DnsSettings Settings, UpstreamGroup? Untagged, Dictionary<string, UpstreamGroup> Tagged);

    public Forwarder(DnsSettings settings, ResolverOptions options, ResolverCounters counters, TextWriter log)
    {
        _options = options;
        _counters = counters;
        _notes = new ThrottledLog(log);
        _groups = Build(settings);
        _timer = new Thread(TimeoutLoop) { IsBackground = true, Name = "steer-dns-timeouts" };
        _timer.Start();
    }

    public IAnswerFinisher Finisher { get; set; } = null!;

    public DnsSettings Settings => Volatile.Read(ref _groups).Settings;

    /// <summary>Swaps the upstreams at once: queries already in flight finish with the old ones.</summary>
    public void Replace(DnsSettings settings)
    {
        var old = Interlocked.Exchange(ref _groups, Build(settings));
        var oldVia = _untaggedVia.Values.ToList();
        _untaggedVia.Clear();
        _ = DisposeLaterAsync(old, oldVia);
    }

    private async Task DisposeLaterAsync(Groups old, List<UpstreamGroup> via)
    {
        await Task.Delay(_options.UpstreamTimeout * (_options.MinAttempts + 2)).ConfigureAwait(false);
        old.Untagged?.Dispose();
        foreach (var group in old.Tagged.Values.Concat(via))
            group.Dispose();
    }

    private Groups Build(DnsSettings settings)
    {
        UpstreamServer Server(DnsUpstream u, string? device) => new(u.Server.ToIPEndPoint(), device, this, _options);
        var untagged = settings.Upstreams.Where(u => u.Interface is null).ToArray();
        var tagged = settings.Upstreams.Where(u => u.Interface is not null).GroupBy(u => u.Interface!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new UpstreamGroup(g.Key, [.. g.Select(u => Server(u, g.Key))]), StringComparer.Ordinal);
        return new Groups(settings, untagged.Length == 0 ? null : new UpstreamGroup(null, [.. untagged.Select(u => Server(u, null))]), tagged);
    }

    /// <summary>The group a route asks: the upstreams tagged with its interface; failing those,
    /// the untagged ones, still asked through the interface (the name must not leak elsewhere).
    /// Null when there is none at all.</summary>
    public UpstreamGroup? GroupFor(string? device)
    {
        var groups = Volatile.Read(ref _groups);
        if (device is null)
            return groups.Untagged;
        if (groups.Tagged.TryGetValue(device, out var group))
            return group;
        if (groups.Untagged is null)
            return null;
        // Static, with its state passed in: a capturing lambda would allocate a closure on every call.
        return _untaggedVia.GetOrAdd(device, static (d, state) =>
            new UpstreamGroup(d, [.. state.Untagged.Servers.Select(s => new UpstreamServer(s.Endpoint, d, state.Forwarder, state.Forwarder._options))]),
            (Untagged: groups.Untagged, Forwarder: this));
    }

    /// <summary>Starts a query on its first attempt.</summary>
    public void Start(PendingQuery query)
    {
        query.MaxAttempts = Math.Max(query.Group.Servers.Length, _options.MinAttempts);
        query.Attempt = 0;
        query.Start = query.Group.Preferred; // fixed for the query: demotions meanwhile must not make it ask one twice
        Send(query);
    }

    /// <summary>Sends the current attempt; on a send error moves straight to the next one.</summary>
    private void Send(PendingQuery query)
    {
        while (true)
        {
            var server = query.Group.ServerFor(query.Attempt, query.Start);
            query.Server = server;
            UpstreamChannel? channel = null;
            // Before registering: the slot publishes the query, and the timeout thread reads the token through it.
            long token = Interlocked.Increment(ref _lastToken);
            Volatile.Write(ref query.AttemptToken, token);
            try
            {
                channel = server.Channel();
                if (!channel.TryRegister(query, out ushort id))
                {
                    Note($"{server}: no free query ID (65,536 in flight); query dropped");
                    Finisher.Fail(query);
                    return;
                }
                BinaryPrimitives.WriteUInt16BigEndian(query.Sent, id);
                _timeouts.Add(new AttemptTimeout(channel, id, token, Environment.TickCount64 + (long)_options.UpstreamTimeout.TotalMilliseconds));
                channel.Send(query.Sent);
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // ENODEV (interface gone), ENETUNREACH, ... : this attempt failed now, not later.
                if (channel is not null)
                    channel.TryTake(BinaryPrimitives.ReadUInt16BigEndian(query.Sent), query);
                Note($"{server}: {e.Message}");
                if (++query.Attempt >= query.MaxAttempts)
                {
                    Finisher.Fail(query);
                    return;
                }
            }
        }
    }

    /// <summary>Moves a query that the current attempt failed for on to the next attempt, or
    /// gives up. The caller owns the query (took it out of its slot).</summary>
    public void Next(PendingQuery query)
    {
        if (++query.Attempt >= query.MaxAttempts)
            Finisher.Fail(query);
        else
            Send(query);
    }

    /// <summary>An upstream datagram with ID <paramref name="id"/> arrived on <paramref name="channel"/>.</summary>
    public void OnDatagram(UpstreamChannel channel, ushort id, Span<byte> answer, Span<byte> scratch)
    {
        var query = channel.Peek(id);
        if (query is null || !DnsMessageView.TryParse(answer, out var view, out _)
            || !view.IsResponseTo(DnsMessageView.Parse(query.Sent)) || !channel.TryTake(id, query))
        {
            Rejected();
            return;
        }
        if (view.Header.Truncated)
        {
            ResolverCounters.Add(ref _counters.TcpFallbacks);
            _ = AskOverTcpAsync(query);
            return;
        }
        if (view.Rcode is DnsRcode.ServFail or DnsRcode.Refused && query.Attempt + 1 < query.MaxAttempts)
        {
            query.LastFailure = answer.ToArray();
            Next(query);
            return;
        }
        Finisher.Finish(query, answer, scratch);
    }

    /// <summary>RFC 7766: the whole answer over TCP, from the same upstream through the same interface.</summary>
    private async Task AskOverTcpAsync(PendingQuery query)
    {
        var server = query.Server!;
        byte[]? answer = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_options.UpstreamTimeout);
            answer = await TcpExchange.AskAsync(query.Sent, server.Endpoint, server.Device, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            Note($"{server} over TCP: {e.Message}");
        }
        if (answer is null || !DnsMessageView.TryParse(answer, out var view, out _) || !view.IsResponseTo(DnsMessageView.Parse(query.Sent)))
        {
            if (answer is not null)
                Rejected();
            Next(query);
            return;
        }
        Finisher.Finish(query, answer, new byte[ushort.MaxValue + 1]);
    }

    private void TimeoutLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            long now = Environment.TickCount64;
            while (_timeouts.TryTakeDue(now, out var item))
            {
                var query = item.Channel.Peek(item.Id);
                if (query is null || Volatile.Read(ref query.AttemptToken) != item.Token || !item.Channel.TryTake(item.Id, query))
                    continue; // answered, or already on a later attempt (the slot is empty or holds another)
                ResolverCounters.Add(ref _counters.Timeouts);
                var server = query.Server!;
                query.Group.Demote(server);
                Note($"{server}: no answer within {_options.UpstreamTimeout.TotalMilliseconds:0} ms");
                try
                {
                    Next(query);
                }
                catch (Exception e)
                {
                    Fault(e);
                }
            }
            _stop.Token.WaitHandle.WaitOne(10);
        }
    }

    public void Rejected() => ResolverCounters.Add(ref _counters.UpstreamRejected);

    public void Fault(Exception e) => Note($"internal error, the query is dropped: {e}");

    private void Note(string message) => _notes.Note(message);

    public void Dispose()
    {
        _stop.Cancel();
        var groups = Volatile.Read(ref _groups);
        groups.Untagged?.Dispose();
        foreach (var group in groups.Tagged.Values.Concat(_untaggedVia.Values))
            group.Dispose();
    }
}
