using System.Net;
using System.Net.Sockets;
using Steer.Dns;

namespace Steer.Resolver.Upstreams;

/// <summary>One query over TCP (RFC 7766 framing), from a fresh socket bound to the interface.</summary>
internal static class TcpExchange
{
    public static async Task<byte[]?> AskAsync(byte[] query, IPEndPoint server, string? device, CancellationToken cancel)
    {
        using var tcp = DeviceBinding.Bind(new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp), device);
        await tcp.ConnectAsync(server, cancel).ConfigureAwait(false);
        var framed = new byte[query.Length + 2];
        DnsTcpFraming.WritePrefix(framed, query.Length);
        query.CopyTo(framed, 2);
        await tcp.SendAsync(framed, SocketFlags.None, cancel).ConfigureAwait(false);
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(tcp, prefix, cancel).ConfigureAwait(false))
            return null;
        var message = new byte[(prefix[0] << 8) | prefix[1]];
        return await ReadExactlyAsync(tcp, message, cancel).ConfigureAwait(false) ? message : null;
    }

    /// <summary>False when the peer closed first.</summary>
    public static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancel)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancel).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
