using System.Net.Sockets;
using Steer.Dns;
using Steer.Resolver.Upstreams;

namespace Steer.Resolver.Clients;

/// <summary>
/// One client TCP connection (RFC 7766): length-prefixed queries, read one after another and
/// answered as they are ready — cache hits at once, forwarded ones when their upstream answers,
/// so answers may come out of order (§6.2.1.1). Closed when idle, at EOF, or on a short read.
/// </summary>
internal sealed class TcpClientConnection(Socket socket, QueryProcessor processor, ResolverCounters counters, TimeSpan idle)
    : ClientSink, IClientOrigin
{
    private readonly Lock _send = new();
    private readonly byte[] _framed = new byte[ushort.MaxValue + 2];
    private bool _closed;

    public override bool IsUdp => false;

    public ClientSink CreateSink() => this;

    public override void Send(ReadOnlySpan<byte> response)
    {
        lock (_send)
        {
            if (_closed)
                return;
            DnsTcpFraming.WritePrefix(_framed, response.Length);
            response.CopyTo(_framed.AsSpan(2));
            try
            {
                socket.Send(_framed.AsSpan(0, response.Length + 2));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _closed = true;
            }
        }
    }

    public async Task ServeAsync(CancellationToken stop)
    {
        var prefix = new byte[2];
        var query = new byte[ushort.MaxValue];
        var response = new byte[ushort.MaxValue + 1];
        var scratch = new byte[ushort.MaxValue + 1];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(idle);
                if (!await TcpExchange.ReadExactlyAsync(socket, prefix, timeout.Token).ConfigureAwait(false))
                    return;
                int length = (prefix[0] << 8) | prefix[1];
                if (!await TcpExchange.ReadExactlyAsync(socket, query.AsMemory(0, length), timeout.Token).ConfigureAwait(false))
                    return;
                int reply;
                try
                {
                    reply = processor.Handle(query.AsSpan(0, length), response, scratch, udp: false, this, counters);
                }
                catch (Exception e)
                {
                    processor.Fault(e);
                    continue;
                }
                if (reply > 0)
                    Send(response.AsSpan(0, reply));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle, reset, or the resolver stopping.
        }
        finally
        {
            lock (_send)
            {
                _closed = true;
                socket.Dispose();
            }
        }
    }
}
