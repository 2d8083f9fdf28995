using System.Net;
using System.Net.Sockets;
using Steer.Policy.Configuration;
using Steer.Resolver.Cache;
using Steer.Resolver.Clients;
using Steer.Resolver.Upstreams;

namespace Steer.Resolver;

/// <summary>
/// Steer's resolver (steer.yaml <c>dns:</c>): a forwarding resolver that decides before it
/// answers. UDP is served by one thread per core on SO_REUSEPORT sockets, TCP by an async
/// listener; both go through one <see cref="QueryProcessor"/> and one cache. Each name goes to
/// the upstreams its rule's route names, through that interface. Design and figures:
/// docs/domain-routing.md, "The resolver".
/// </summary>
public sealed class DnsResolver : IDisposable
{
    private readonly UdpWorker[] _workers;
    private readonly TcpFrontend _tcp;
    private readonly Forwarder _forwarder;
    private readonly ResolverCounters _shared;
    private readonly LatencyHistogram _decide;
    private readonly AnswerCache _cache;

    private DnsResolver(IPEndPoint listening, UdpWorker[] workers, TcpFrontend tcp, Forwarder forwarder, ResolverCounters shared, LatencyHistogram decide, AnswerCache cache)
    {
        Listening = listening;
        (_workers, _tcp, _forwarder, _shared, _decide, _cache) = (workers, tcp, forwarder, shared, decide, cache);
    }

    /// <summary>Where it listens (UDP and TCP); the real port when 0 was asked for.</summary>
    public IPEndPoint Listening { get; }

    /// <summary>The upstreams in use (they change with <see cref="ReplaceUpstreams"/>).</summary>
    public DnsSettings Settings => _forwarder.Settings;

    public int CachedAnswers => _cache.Count;

    /// <summary>What the cached answers count for against <c>dns.cache-size</c>.</summary>
    public long CachedBytes => _cache.Bytes;

    public ResolverStats Stats => ResolverCounters.Sum([.. _workers.Select(w => w.Counters), _tcp.Counters, _shared], _decide) with
    {
        CachedAnswers = _cache.Count, CachedBytes = _cache.Bytes, CacheBudgetBytes = _cache.Budget,
    };

    /// <summary>Binds UDP and TCP on <c>settings.Listen</c> and starts serving.</summary>
    /// <exception cref="InvalidOperationException">The address cannot be bound; nothing is left open.</exception>
    public static DnsResolver Start(DnsSettings settings, IResolverPolicy policy, TextWriter log, ResolverOptions? options = null)
    {
        options ??= ResolverOptions.Default;
        options.Validate();
        var endpoint = settings.Listen.ToIPEndPoint();
        var shared = new ResolverCounters();
        var decide = new LatencyHistogram();
        var cache = new AnswerCache(settings.CacheSizeBytes, options.MaxCacheTtl);
        var processor = new QueryProcessor(policy, cache, options, decide, shared, log);
        var forwarder = new Forwarder(settings, options, shared, log) { Finisher = processor };
        processor.Forwarder = forwarder;
        Socket[] sockets;
        TcpFrontend tcp;
        try
        {
            sockets = UdpWorker.Bind(endpoint, options.UdpWorkers);
        }
        catch (SocketException e)
        {
            forwarder.Dispose();
            throw new InvalidOperationException($"the resolver cannot listen on {endpoint} (UDP): {e.Message}", e);
        }
        var bound = (IPEndPoint)sockets[0].LocalEndPoint!;
        try
        {
            tcp = new TcpFrontend(bound, processor, options);
        }
        catch (SocketException e)
        {
            foreach (var socket in sockets)
                socket.Dispose();
            forwarder.Dispose();
            throw new InvalidOperationException($"the resolver cannot listen on {bound} (TCP): {e.Message}", e);
        }
        var workers = sockets.Select((s, i) => new UdpWorker(s, processor, i, options.BatchedUdp)).ToArray();
        foreach (var worker in workers)
            worker.Start();
        tcp.Start();
        return new DnsResolver(bound, workers, tcp, forwarder, shared, decide, cache);
    }

    /// <summary>New upstreams, swapped in at once, and the cache's new size (a smaller one
    /// evicts at the next insert); the listen address stays (a new one needs a new resolver).
    /// Cached answers stay: they were right when asked.</summary>
    public void ReplaceUpstreams(DnsSettings settings)
    {
        _cache.Budget = settings.CacheSizeBytes;
        _forwarder.Replace(settings);
    }

    public void Dispose()
    {
        _tcp.Dispose();
        foreach (var worker in _workers)
            worker.Dispose();
        _forwarder.Dispose();
    }
}
