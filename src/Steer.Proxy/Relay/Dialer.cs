using System.Text;
using Steer.Proxy.Guard;
using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>
/// Opens every egress socket of the proxy: bound to an interface (SO_BINDTODEVICE) and carrying the
/// bypass mark before its first packet, so its traffic can never be routed back into the proxy by a
/// default route, a TUN or the proxy's own fwmark rule. Binding to an address would not do: the
/// routing decision would still pick the interface.
/// </summary>
internal static unsafe class Dialer
{
    /// <summary>A non-blocking socket for <paramref name="ipv4"/>/<paramref name="udp"/>, bound to
    /// <paramref name="iface"/>; a negative errno when the interface is missing or the call fails.</summary>
    public static int Open(bool ipv4, bool udp, string? iface, ProxyOptions options)
    {
        var fd = Sys.socket(ipv4 ? Sys.AF_INET : Sys.AF_INET6, (udp ? Sys.SOCK_DGRAM : Sys.SOCK_STREAM) | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -Sys.Errno;
        if (options.Bypass)
        {
            if (Sys.SetInt(fd, Sys.SOL_SOCKET, Sys.SO_MARK, (int)options.BypassMark) < 0 || (iface is not null && BindToDevice(fd, iface) < 0))
            {
                var errno = Sys.Errno;
                Sys.close(fd);
                return -errno;
            }
        }
        return fd;
    }

    /// <summary>
    /// Opens an egress socket (<see cref="Open"/>), binds it to port 0 so the kernel chooses its
    /// local port now, registers that port with the loop guard and only then connects: by the time
    /// the first packet leaves, a re-entry of it on any loop is recognised as this flow. Once
    /// connect() has chosen the local address the registration is narrowed to it. On failure the
    /// socket is closed and unregistered. Returns the socket or a negative errno.
    /// </summary>
    public static int Dial(in FlowEndpoint destination, bool udp, string? iface, ProxyOptions options, LoopGuard guard, EgressOwner owner, out FlowEndpoint local)
    {
        local = default;
        var fd = Open(destination.IsIPv4, udp, iface, options);
        if (fd < 0)
            return fd;
        var any = SockAddr.From(destination.IsIPv4 ? FlowEndpoint.FromIPv4(0, 0) : default);
        if (Sys.bind(fd, &any, any.Length) < 0)
        {
            var errno = Sys.Errno;
            Sys.close(fd);
            return -errno;
        }
        var bound = SockAddr.LocalOf(fd);
        guard.Register(bound, udp, owner);
        var connect = Connect(fd, destination);
        if (connect < 0)
        {
            guard.Unregister(bound, udp, owner);
            Sys.close(fd);
            return connect;
        }
        local = SockAddr.LocalOf(fd);
        guard.Connected(local, udp, owner);
        return fd;
    }

    private static int BindToDevice(int fd, string iface)
    {
        Span<byte> name = stackalloc byte[17];
        var length = Encoding.ASCII.GetBytes(iface, name[..16]);
        name[length] = 0;
        fixed (byte* p = name)
            return Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_BINDTODEVICE, p, length + 1);
    }

    /// <summary>Starts connecting; 0 when connected or in progress, else a negative errno.</summary>
    public static int Connect(int fd, in FlowEndpoint destination)
    {
        var address = SockAddr.From(destination);
        if (Sys.connect(fd, &address, address.Length) == 0)
            return 0;
        var errno = Sys.Errno;
        return errno == Sys.EINPROGRESS ? 0 : -errno;
    }

    public static string Describe(int errno) => errno switch
    {
        Sys.ENODEV => "the interface does not exist",
        Sys.ENETUNREACH => "network unreachable through the interface",
        Sys.ECONNREFUSED => "connection refused",
        Sys.ECONNRESET => "connection reset",
        110 => "connection timed out",
        113 => "no route to host",
        _ => $"errno {errno}",
    };
}
