using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Steer.Lab;

/// <summary>
/// One TCP client of the echo service. It answers as soon as it knows what the client wants: the
/// first bytes arrive (HTTP when they start with <c>GET </c> or <c>HEAD</c>), the client half-closes
/// (socat at end of its input), or the client stays silent for <see cref="SilenceBeforeReply"/>.
/// </summary>
internal static class EchoTcpSession
{
    public static readonly TimeSpan SilenceBeforeReply = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan HttpIdle = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(Socket client, IPEndPoint remote, CancellationToken stop)
    {
        var buffer = new byte[16384];
        var filled = await ReadFirstBytesAsync(client, buffer, stop);
        var start = Encoding.ASCII.GetString(buffer, 0, Math.Min(filled, 5));
        if (start.StartsWith("GET ", StringComparison.Ordinal) || start.StartsWith("HEAD ", StringComparison.Ordinal))
        {
            await ServeHttpAsync(client, remote, buffer, filled, stop);
            return;
        }
        await client.SendAsync(Encoding.ASCII.GetBytes(EchoReply.Format(remote)), SocketFlags.None, stop);
        client.Shutdown(SocketShutdown.Both);
    }

    /// <summary>Reads until 5 bytes or a newline arrived, the client half-closed, or it stayed silent.</summary>
    private static async Task<int> ReadFirstBytesAsync(Socket client, byte[] buffer, CancellationToken stop)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(stop);
        silence.CancelAfter(SilenceBeforeReply);
        var filled = 0;
        try
        {
            while (filled < 5 && Array.IndexOf(buffer, (byte)'\n', 0, filled) < 0)
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, silence.Token);
                if (n == 0)
                    break;
                filled += n;
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // Silent client: answer anyway.
        }
        return filled;
    }

    /// <summary>Minimal HTTP/1.1 with keep-alive, enough for curl, hey and wrk: every request
    /// (bodies are not expected) gets 200 and the <c>SRC</c> line.</summary>
    private static async Task ServeHttpAsync(Socket client, IPEndPoint remote, byte[] buffer, int filled, CancellationToken stop)
    {
        var body = Encoding.ASCII.GetBytes(EchoReply.Format(remote));
        while (true)
        {
            int end;
            while ((end = IndexOfHeaderEnd(buffer, filled)) < 0)
            {
                if (filled == buffer.Length)
                    return; // headers too large for a lab client: drop it
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
                idle.CancelAfter(HttpIdle);
                int n;
                try
                {
                    n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, idle.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    return; // idle keep-alive connection: close it
                }
                if (n == 0)
                    return;
                filled += n;
            }
            var request = Encoding.ASCII.GetString(buffer, 0, end);
            var close = request.Contains("\nConnection: close", StringComparison.OrdinalIgnoreCase);
            var head = request.StartsWith("HEAD ", StringComparison.Ordinal);
            var header = Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" +
                $"Content-Length: {body.Length}\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n");
            await client.SendAsync(head ? header : [.. header, .. body], SocketFlags.None, stop);
            if (close)
            {
                client.Shutdown(SocketShutdown.Both);
                return;
            }
            Buffer.BlockCopy(buffer, end, buffer, 0, filled - end);
            filled -= end;
        }
    }

    /// <summary>The index just past the blank line ending the request headers, or -1.</summary>
    private static int IndexOfHeaderEnd(byte[] buffer, int filled)
    {
        var index = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
        return index < 0 ? -1 : index + 4;
    }
}
