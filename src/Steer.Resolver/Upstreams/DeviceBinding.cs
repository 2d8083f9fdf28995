using System.Net.Sockets;
using System.Text;

namespace Steer.Resolver.Upstreams;

/// <summary>SO_BINDTODEVICE: a socket bound to an interface sends only through it, whatever the
/// routing table says — the query for a rule's name never leaks to another uplink.</summary>
internal static class DeviceBinding
{
    private const int SolSocket = 1, SoBindToDevice = 25;

    public static Socket Bind(Socket socket, string? device)
    {
        if (device is not null)
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));
        return socket;
    }
}
