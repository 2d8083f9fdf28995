using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Real TCP between test namespaces: a listener in one, connects from the other.</summary>
internal static class Traffic
{
    public const int Port = 7061;
    private const int SOL_SOCKET = 1, SO_MARK = 36;

    /// <summary>A dual-stack listener on [::]:<see cref="Port"/> inside the namespace. The kernel
    /// completes handshakes into the backlog, so no accept loop is needed to see a connect succeed.</summary>
    public static Socket Listen(string nsPath) => NetNamespace.Run(nsPath, () =>
    {
        var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, Port));
        listener.Listen(16);
        return listener;
    });

    /// <summary>Connects from inside the namespace, optionally with SO_MARK: Success, the
    /// kernel's refusal (NetworkUnreachable, HostUnreachable, AccessDenied...), or TimedOut.</summary>
    public static SocketError Connect(string nsPath, IPAddress to, uint? mark = null, int timeoutMs = 2000) => NetNamespace.Run(nsPath, () =>
    {
        using var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (mark is { } m)
            socket.SetRawSocketOption(SOL_SOCKET, SO_MARK, BitConverter.GetBytes(m));
        try
        {
            return socket.ConnectAsync(to, Port).Wait(timeoutMs) ? SocketError.Success : SocketError.TimedOut;
        }
        catch (AggregateException e) when (e.InnerException is SocketException s)
        {
            return s.SocketErrorCode;
        }
    });
}
