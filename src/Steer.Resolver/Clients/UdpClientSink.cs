using System.Net;
using System.Net.Sockets;

namespace Steer.Resolver.Clients;

/// <summary>A UDP client's address, copied, and the listening socket its query came in on (so
/// the answer leaves from the address the client asked).</summary>
internal sealed class UdpClientSink(Socket socket, SocketAddress address) : ClientSink
{
    public override bool IsUdp => true;

    public override void Send(ReadOnlySpan<byte> response)
    {
        try
        {
            socket.SendTo(response, SocketFlags.None, address);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client's port is closed, or the resolver is stopping.
        }
    }

    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}
