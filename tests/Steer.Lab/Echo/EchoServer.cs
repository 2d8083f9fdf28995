using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;

namespace Steer.Lab;

/// <summary>
/// An in-process echo service listening inside a lab namespace: every TCP client or UDP datagram
/// gets one line <c>SRC ADDRESS PORT</c> back (see <see cref="EchoReply"/>), and TCP clients that
/// speak HTTP get a 200 response with that line as body. Every peer is recorded so tests can check
/// the server side too.
/// <para>TCP listens on the wildcard addresses (an accepted socket knows its local address). UDP
/// binds one socket per address of the host: a wildcard UDP socket would answer from whatever
/// address the route back prefers, and a connected client drops replies from any other address.</para>
/// </summary>
public sealed class EchoServer : IAsyncDisposable, IDisposable
{
    private readonly List<Socket> _listeners;
    private readonly List<Socket> _udpSockets;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<EchoPeer> _peers = new();
    private readonly ConcurrentQueue<Exception> _faults = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private int _disposed;

    private EchoServer(int port, List<Socket> listeners, List<Socket> udpSockets)
    {
        Port = port;
        _listeners = listeners;
        _udpSockets = udpSockets;
    }

    public int Port { get; }

    /// <summary>Every client seen, in order.</summary>
    public IReadOnlyList<EchoPeer> Peers => [.. _peers];

    /// <summary>Unexpected errors while serving (not a client's disconnect). Tests may assert it stays empty.</summary>
    public IReadOnlyList<Exception> Faults => [.. _faults];

    internal static EchoServer Start(string nsPath, int port, IReadOnlyList<IPAddress> udpAddresses)
    {
        var (listeners, udp) = NetNamespace.Run(nsPath, () => OpenSockets(port, udpAddresses));
        var server = new EchoServer(port, listeners, udp);
        foreach (var listener in listeners)
            server.Track(server.AcceptLoopAsync(listener));
        foreach (var socket in udp)
            server.Track(server.UdpLoopAsync(socket));
        return server;
    }

    /// <summary>Waits for a peer matching <paramref name="match"/> and returns it.</summary>
    public async Task<EchoPeer> WaitForPeerAsync(Func<EchoPeer, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_peers.FirstOrDefault(match) is { } peer)
                return peer;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no matching peer on port {Port} within {timeout.TotalSeconds:0.#} s; seen: {string.Join(", ", _peers)}");
            await Task.Delay(10);
        }
    }

    private static (List<Socket>, List<Socket>) OpenSockets(int port, IReadOnlyList<IPAddress> udpAddresses)
    {
        var opened = new List<Socket>();
        try
        {
            var tcp4 = Open(opened, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp4.Bind(new IPEndPoint(IPAddress.Any, port));
            tcp4.Listen(1024);
            var tcp6 = Open(opened, AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            tcp6.DualMode = false; // IPv4 clients show as IPv4, not ::ffff:a.b.c.d
            tcp6.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            tcp6.Listen(1024);
            var udp = new List<Socket>();
            foreach (var address in udpAddresses)
            {
                var socket = Open(opened, address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                    socket.DualMode = false;
                socket.Bind(new IPEndPoint(address, port));
                udp.Add(socket);
            }
            return ([tcp4, tcp6], udp);
        }
        catch
        {
            foreach (var s in opened)
                s.Dispose();
            throw;
        }
    }

    private static Socket Open(List<Socket> opened, AddressFamily family, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(family, type, protocol);
        opened.Add(socket);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (Stopping(e))
            {
                return;
            }
            catch (SocketException e)
            {
                _faults.Enqueue(e);
                continue;
            }
            var remote = (IPEndPoint)client.RemoteEndPoint!;
            _peers.Enqueue(new EchoPeer(EchoProtocol.Tcp, remote, (IPEndPoint)client.LocalEndPoint!));
            Track(ServeClientAsync(client, remote));
        }
    }

    private async Task ServeClientAsync(Socket client, IPEndPoint remote)
    {
        using (client)
        {
            try
            {
                await EchoTcpSession.RunAsync(client, remote, _stop.Token);
            }
            catch (Exception e) when (Stopping(e) || e is SocketException or IOException)
            {
                // The client went away, or we are stopping: nothing to report.
            }
            catch (Exception e)
            {
                _faults.Enqueue(e);
            }
        }
    }

    private async Task UdpLoopAsync(Socket socket)
    {
        var buffer = new byte[65536];
        var local = (IPEndPoint)socket.LocalEndPoint!;
        EndPoint any = new IPEndPoint(local.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                var remote = (IPEndPoint)received.RemoteEndPoint;
                _peers.Enqueue(new EchoPeer(EchoProtocol.Udp, remote, local));
                await socket.SendToAsync(System.Text.Encoding.ASCII.GetBytes(EchoReply.Format(remote)), SocketFlags.None, remote, _stop.Token);
            }
            catch (Exception e) when (Stopping(e))
            {
                return;
            }
            catch (SocketException e)
            {
                // A reply that could not be sent (no route back) must not end the service.
                _faults.Enqueue(e);
            }
        }
    }

    private bool Stopping(Exception e) =>
        _stop.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException;

    private void Track(Task task)
    {
        _running.TryAdd(task, 0);
        // Every task catches its own errors; this only forgets finished ones.
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stop.CancelAsync();
        foreach (var socket in _listeners.Concat(_udpSockets))
            socket.Dispose();
        await Task.WhenAny(Task.WhenAll(_running.Keys), Task.Delay(TimeSpan.FromSeconds(5)));
        _stop.Dispose();
    }

    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();
}
