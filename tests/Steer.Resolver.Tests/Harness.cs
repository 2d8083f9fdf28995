using System.Net;
using System.Net.Sockets;
using Steer.Dns;
using Steer.Policy.Configuration;

namespace Steer.Resolver.Tests;

/// <summary>A resolver on a free loopback port, its fake upstreams, and a client.</summary>
internal sealed class Harness : IDisposable
{
    private readonly StringWriter _log = new();

    public Harness(int upstreams = 1, ResolverOptions? options = null, Func<FakeUpstream, string?>? tag = null)
    {
        Upstreams = [.. Enumerable.Range(0, upstreams).Select(_ => new FakeUpstream())];
        var settings = new DnsSettings(new Endpoint(IPAddress.Loopback, FreePort()),
            Upstreams.Select(u => new DnsUpstream(new Endpoint(IPAddress.Loopback, u.EndPoint.Port), tag?.Invoke(u))).ToEquatableArray());
        Resolver = DnsResolver.Start(settings, Policy, TextWriter.Synchronized(_log),
            options ?? new ResolverOptions { UpstreamTimeout = TimeSpan.FromMilliseconds(300), UdpWorkers = 2 });
    }

    public FakeUpstream[] Upstreams { get; }

    public FakePolicy Policy { get; } = new();

    public DnsResolver Resolver { get; }

    public string Log => _log.ToString();

    public static byte[] Query(string name, ushort id = 0x1234, DnsType type = DnsType.A, bool edns = false)
    {
        var buffer = new byte[512];
        DnsQueries.TryWrite(buffer, id, DnsName.Parse(name), type, edns ? new DnsEdns() : null, out int written);
        return buffer[..written];
    }

    /// <summary>Sends over UDP and waits for one datagram; null when none comes in time.</summary>
    public byte[]? Ask(byte[] query, int timeoutMs = 2000)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveTimeout = timeoutMs;
        socket.Connect(Resolver.Listening);
        socket.Send(query);
        var buffer = new byte[65536];
        try
        {
            int n = socket.Receive(buffer);
            return buffer[..n];
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return null;
        }
    }

    /// <summary>One query over a TCP connection, RFC 7766 framing.</summary>
    public byte[]? AskTcp(byte[] query)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 3000 };
        socket.Connect(Resolver.Listening);
        socket.Send([(byte)(query.Length >> 8), (byte)query.Length, .. query]);
        var prefix = new byte[2];
        if (socket.Receive(prefix) != 2)
            return null;
        var message = new byte[(prefix[0] << 8) | prefix[1]];
        int read = 0;
        while (read < message.Length)
        {
            int n = socket.Receive(message, read, message.Length - read, SocketFlags.None);
            if (n == 0)
                return null;
            read += n;
        }
        return message;
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        Resolver.Dispose();
        foreach (var u in Upstreams)
            u.Dispose();
    }
}
