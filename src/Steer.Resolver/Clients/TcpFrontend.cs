using System.Net;
using System.Net.Sockets;

namespace Steer.Resolver.Clients;

/// <summary>The TCP listener: accepts clients up to <see cref="ResolverOptions.MaxTcpClients"/>
/// at once (more are closed at once: a flood of connections must not exhaust descriptors).</summary>
internal sealed class TcpFrontend : IDisposable
{
    private readonly Socket _listener;
    private readonly QueryProcessor _processor;
    private readonly ResolverOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private int _clients;

    public TcpFrontend(IPEndPoint endpoint, QueryProcessor processor, ResolverOptions options)
    {
        _processor = processor;
        _options = options;
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(endpoint);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
    }

    public ResolverCounters Counters { get; } = new();

    public void Start() => _ = AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (Interlocked.Increment(ref _clients) > _options.MaxTcpClients)
            {
                Interlocked.Decrement(ref _clients);
                client.Dispose();
                ResolverCounters.Add(ref Counters.Dropped);
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await new TcpClientConnection(client, _processor, Counters, _options.TcpIdleTimeout).ServeAsync(_stop.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _clients);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }
}
