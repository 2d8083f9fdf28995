using System.Net;
using System.Net.Sockets;
using Steer.Lab;

namespace Steer.PassiveDns.Tests.Kernel;

/// <summary>A client that asks one question over UDP or TCP from inside a lab host, and says
/// from which end point it asked.</summary>
internal static class DnsClient
{
    public static (DnsMessage Answer, IPEndPoint From) Udp(LabHost host, IPAddress server, string name, DnsType type, int timeoutMilliseconds = 2000) =>
        host.Run(() =>
        {
            using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = timeoutMilliseconds };
            socket.Connect(new IPEndPoint(server, 53));
            socket.Send(Query(name, type));
            var buffer = new byte[4096];
            int received = socket.Receive(buffer);
            return (DnsMessage.Parse(buffer.AsSpan(0, received)), (IPEndPoint)socket.LocalEndPoint!);
        });

    public static (DnsMessage Answer, IPEndPoint From) Tcp(LabHost host, IPAddress server, string name, DnsType type) =>
        host.Run(() =>
        {
            using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 2000 };
            socket.Connect(new IPEndPoint(server, 53));
            socket.Send(Frames.Framed(Query(name, type)));
            var prefix = ReadExactly(socket, 2);
            var message = ReadExactly(socket, prefix[0] << 8 | prefix[1]);
            return (DnsMessage.Parse(message), (IPEndPoint)socket.LocalEndPoint!);
        });

    public static byte[] Query(string name, DnsType type)
    {
        var buffer = new byte[512];
        if (!DnsQueries.TryWrite(buffer, (ushort)Random.Shared.Next(ushort.MaxValue), DnsName.Parse(name), type, null, out int written))
            throw new InvalidOperationException("query does not fit");
        return buffer[..written];
    }

    public static byte[] ReadExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (int read = 0; read < count;)
        {
            int n = socket.Receive(buffer, read, count - read, SocketFlags.None);
            if (n == 0)
                throw new EndOfStreamException($"connection closed after {read} of {count} bytes");
            read += n;
        }
        return buffer;
    }
}
