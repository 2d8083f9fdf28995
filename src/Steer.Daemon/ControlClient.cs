using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Steer.Daemon;

/// <summary>The CLI's side of the control socket.</summary>
public static class ControlClient
{
    /// <summary>The daemon's answer, or null when no daemon listens there.</summary>
    public static ControlResponse? TrySend(DaemonPaths paths, ControlRequest request, TimeSpan? timeout = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = socket.SendTimeout = (int)(timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(paths.Socket));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable || !File.Exists(paths.Socket))
        {
            return null;
        }
        socket.Send(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, ControlJson.Default.ControlRequest) + "\n"));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var line = reader.ReadLine() ?? throw new IOException($"the daemon at {paths.Socket} closed the connection without answering");
        return JsonSerializer.Deserialize(line, ControlJson.Default.ControlResponse);
    }
}
