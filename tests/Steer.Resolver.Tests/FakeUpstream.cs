using System.Net;
using System.Net.Sockets;
using Steer.Dns;

namespace Steer.Resolver.Tests;

/// <summary>
/// An upstream resolver on loopback (UDP and TCP, one port) whose behaviour a test sets: answer
/// every A question with 10.0.0.1 (TTL 300), stay silent, answer with what a function makes of the
/// right answer (mutated, random, truncated), or set TC so the client asks over TCP.
/// </summary>
internal sealed class FakeUpstream : IDisposable
{
    private readonly Socket _udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _tcp = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private int _udpQueries, _tcpQueries;

    public FakeUpstream()
    {
        _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _tcp.Bind(_udp.LocalEndPoint!);
        _tcp.Listen(16);
        new Thread(ServeUdp) { IsBackground = true }.Start();
        _ = ServeTcpAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    public string Address => EndPoint.ToString();

    /// <summary>Null: silence. Default: the right answer.</summary>
    public Func<byte[], byte[]?> Respond { get; set; } = Answer;

    public bool Truncate { get; set; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public static readonly DnsAddress Address10 = DnsAddress.Parse("10.0.0.1");

    public static byte[] Answer(byte[] query)
    {
        var q = DnsMessage.Parse(query);
        return new DnsMessage
        {
            Header = q.Header with { IsResponse = true, RecursionAvailable = true },
            Questions = q.Questions,
            Answers = q.Questions[0].Type == DnsType.A ? [DnsRecord.Address(q.Questions[0].Name, 300, Address10)] : [],
            Edns = q.Edns,
        }.ToArray();
    }

    private void ServeUdp()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            int n;
            try { n = _udp.ReceiveFrom(buffer, ref from); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            Interlocked.Increment(ref _udpQueries);
            var query = buffer[..n];
            byte[]? reply;
            try
            {
                reply = Respond(query);
                if (reply is not null && Truncate)
                {
                    var q = DnsMessage.Parse(query);
                    reply = new DnsMessage { Header = q.Header with { IsResponse = true, Truncated = true }, Questions = q.Questions }.ToArray();
                }
            }
            catch (FormatException) { continue; }
            if (reply is not null)
                try { _udp.SendTo(reply, from); } catch (SocketException) { }
        }
    }

    private async Task ServeTcpAsync()
    {
        while (true)
        {
            Socket client;
            try { client = await _tcp.AcceptAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var prefix = new byte[2];
                    if (await client.ReceiveAsync(prefix) != 2)
                        return;
                    var query = new byte[(prefix[0] << 8) | prefix[1]];
                    int read = 0;
                    while (read < query.Length)
                    {
                        int n = await client.ReceiveAsync(query.AsMemory(read));
                        if (n == 0)
                            return;
                        read += n;
                    }
                    Interlocked.Increment(ref _tcpQueries);
                    var reply = Answer(query);
                    await client.SendAsync((byte[])[(byte)(reply.Length >> 8), (byte)reply.Length, .. reply]);
                }
            });
        }
    }

    public void Dispose()
    {
        _udp.Dispose();
        _tcp.Dispose();
    }
}
