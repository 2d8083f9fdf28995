using System.Net;

namespace Steer.Resolver.Upstreams;

/// <summary>
/// One upstream resolver as one route sees it: its address, the interface its queries leave
/// through, and a few sockets (random source ports) picked at random per query. A socket that
/// has carried <see cref="ResolverOptions.QueriesPerUpstreamSocket"/> queries is replaced; the
/// old one lives on for two timeouts, for answers still on their way.
/// </summary>
internal sealed class UpstreamServer : IDisposable
{
    private readonly UpstreamChannel?[] _channels;
    private readonly Forwarder _forwarder;
    private readonly ResolverOptions _options;
    private readonly Lock _replace = new();
    private int _disposed;

    public UpstreamServer(IPEndPoint endpoint, string? device, Forwarder forwarder, ResolverOptions options)
    {
        Endpoint = endpoint;
        Device = device;
        _forwarder = forwarder;
        _options = options;
        _channels = new UpstreamChannel?[options.SocketsPerUpstream];
    }

    public IPEndPoint Endpoint { get; }

    public string? Device { get; }

    /// <summary>For logs: "10.64.0.1:53 via wg0".</summary>
    public override string ToString() => Device is null ? Endpoint.ToString() : $"{Endpoint} via {Device}";

    /// <summary>A socket for the next query. Throws SocketException when none can be opened
    /// (the interface is gone): that attempt fails and the next upstream is tried.</summary>
    public UpstreamChannel Channel()
    {
        int i = Random.Shared.Next(_channels.Length);
        var channel = Volatile.Read(ref _channels[i]);
        if (channel is not null && channel.Sent < _options.QueriesPerUpstreamSocket)
            return channel;
        lock (_replace)
        {
            channel = _channels[i];
            if (channel is not null && channel.Sent < _options.QueriesPerUpstreamSocket)
                return channel;
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var fresh = new UpstreamChannel(Endpoint, Device, _forwarder);
            Volatile.Write(ref _channels[i], fresh);
            if (channel is not null)
                _ = RetireAsync(channel);
            return fresh;
        }
    }

    private async Task RetireAsync(UpstreamChannel channel)
    {
        await Task.Delay(_options.UpstreamTimeout * 2).ConfigureAwait(false);
        channel.Dispose();
    }

    public void Dispose()
    {
        lock (_replace)
        {
            _disposed = 1;
            foreach (var channel in _channels)
                channel?.Dispose();
        }
    }
}
