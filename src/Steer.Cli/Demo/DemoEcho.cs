using System.Net;
using System.Net.Sockets;
using System.Text;
using Steer.Linux.Native;

namespace Steer.Cli.Demo;

/// <summary>
/// The server side of the demo: answers every TCP connection (as HTTP, for curl) and every UDP
/// datagram with the address the flow came from — the proof of which uplink it took. The sockets
/// are opened on a thread inside the server namespace and stay there.
/// </summary>
internal sealed class DemoEcho : IDisposable
{
    public const int Port = 7000;

    private readonly List<Socket> _sockets;
    private readonly CancellationTokenSource _stop = new();
    private int _flows;

    /// <summary>TCP connections accepted and UDP datagrams received so far, from anywhere.</summary>
    public int Flows => Volatile.Read(ref _flows);

    private DemoEcho(List<Socket> sockets)
    {
        _sockets = sockets;
        foreach (var socket in sockets)
            _ = socket.SocketType == SocketType.Stream ? AcceptLoopAsync(socket) : DatagramLoopAsync(socket);
    }

    public static DemoEcho StartIn(string namespacePath) => new(NetNamespace.Run(namespacePath, () =>
    {
        var tcp = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        tcp.Bind(new IPEndPoint(IPAddress.IPv6Any, Port));
        tcp.Listen();
        var sockets = new List<Socket> { tcp };
        // One UDP socket per service address, so each reply leaves from the address it was sent to.
        foreach (var address in new[] { DemoLab.Service4, DemoLab.Service6 })
        {
            var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, Port));
            sockets.Add(udp);
        }
        return sockets;
    }));

    private async Task AcceptLoopAsync(Socket listener)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _flows);
                _ = AnswerAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static async Task AnswerAsync(Socket client)
    {
        using (client)
        {
            try
            {
                // Read the request head (curl sends one); then answer and close.
                var buffer = new byte[4096];
                int total = 0;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                while (total < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, total).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await client.ReceiveAsync(buffer.AsMemory(total), timeout.Token);
                    if (read == 0)
                        break;
                    total += read;
                }
                var body = Seen((IPEndPoint)client.RemoteEndPoint!) + "\n";
                var response = $"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n{body}";
                await client.SendAsync(Encoding.ASCII.GetBytes(response));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }
    }

    private async Task DatagramLoopAsync(Socket socket)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, any, _stop.Token);
                Interlocked.Increment(ref _flows);
                var peer = (IPEndPoint)received.RemoteEndPoint;
                await socket.SendToAsync(Encoding.ASCII.GetBytes(Seen(peer) + "\n"), peer);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static string Seen(IPEndPoint peer) =>
        (peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address).ToString();

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets)
            socket.Dispose();
    }
}
