using System.Net;
using System.Net.Sockets;
using Steer.Lab;

namespace Steer.PassiveDns.Tests.Kernel;

/// <summary>
/// A DNS-over-TCP server that writes each answer in pieces — the length prefix split, then the
/// message in two — with pauses and Nagle off, so they travel as separate segments and a capture
/// has to put the answer back together.
/// </summary>
internal sealed class SplittingTcpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;

    private SplittingTcpServer(Socket listener, Func<DnsMessage, byte[]> answer)
    {
        _listener = listener;
        _thread = new Thread(() => Serve(answer)) { IsBackground = true, Name = "splitting dns server" };
        _thread.Start();
    }

    /// <param name="answer">Builds the answer's bytes from the query.</param>
    public static SplittingTcpServer Start(LabHost host, IPAddress address, Func<DnsMessage, byte[]> answer)
    {
        var listener = host.Run(() =>
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 53));
            socket.Listen();
            return socket;
        });
        return new SplittingTcpServer(listener, answer);
    }

    private void Serve(Func<DnsMessage, byte[]> answer)
    {
        try
        {
            while (true)
            {
                using var connection = _listener.Accept();
                connection.NoDelay = true;
                var prefix = DnsClient.ReadExactly(connection, 2);
                var query = DnsMessage.Parse(DnsClient.ReadExactly(connection, prefix[0] << 8 | prefix[1]));
                var framed = Frames.Framed(answer(query));
                int half = 2 + (framed.Length - 2) / 2;
                foreach (var (start, end) in new[] { (0, 1), (1, half), (half, framed.Length) })
                {
                    connection.Send(framed.AsSpan(start, end - start));
                    Thread.Sleep(30);
                }
            }
        }
        catch (SocketException) // the listener was closed: the test is over
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join(2000);
    }
}
