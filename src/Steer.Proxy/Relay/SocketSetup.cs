using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>Listening sockets of the inbounds.</summary>
internal static unsafe class SocketSetup
{
    /// <summary>A non-blocking TCP listener or UDP socket on <paramref name="address"/>; with
    /// <paramref name="transparent"/>, IP_TRANSPARENT (TProxy delivery; UDP also gets each
    /// datagram's original destination). IPv6 sockets are IPv6-only: IPv4 has its own socket.</summary>
    public static int Listening(FlowEndpoint address, bool udp, bool transparent)
    {
        var ipv4 = address.IsIPv4;
        var fd = Sys.socket(ipv4 ? Sys.AF_INET : Sys.AF_INET6, (udp ? Sys.SOCK_DGRAM : Sys.SOCK_STREAM) | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new ProxyException($"socket: errno {Sys.Errno}");
        try
        {
            Check(Sys.SetInt(fd, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1), "SO_REUSEADDR");
            Check(Sys.SetInt(fd, Sys.SOL_SOCKET, Sys.SO_REUSEPORT, 1), "SO_REUSEPORT");
            if (!ipv4)
                Check(Sys.SetInt(fd, Sys.SOL_IPV6, Sys.IPV6_V6ONLY, 1), "IPV6_V6ONLY");
            if (transparent)
            {
                Check(ipv4 ? Sys.SetInt(fd, Sys.SOL_IP, Sys.IP_TRANSPARENT, 1) : Sys.SetInt(fd, Sys.SOL_IPV6, Sys.IPV6_TRANSPARENT, 1), "IP_TRANSPARENT (needs CAP_NET_ADMIN)");
                if (udp)
                    Check(ipv4 ? Sys.SetInt(fd, Sys.SOL_IP, Sys.IP_RECVORIGDSTADDR, 1) : Sys.SetInt(fd, Sys.SOL_IPV6, Sys.IPV6_RECVORIGDSTADDR, 1), "IP_RECVORIGDSTADDR");
            }
            var sockaddr = SockAddr.From(address);
            if (Sys.bind(fd, &sockaddr, sockaddr.Length) < 0)
                throw new ProxyException($"cannot listen on {(udp ? "udp" : "tcp")} {address}: {(Sys.Errno == Sys.EADDRINUSE ? "the port is in use" : $"errno {Sys.Errno}")}");
            if (!udp && Sys.listen(fd, 4096) < 0)
                throw new ProxyException($"listen on {address}: errno {Sys.Errno}");
            return fd;
        }
        catch
        {
            Sys.close(fd);
            throw;
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
            throw new ProxyException($"setsockopt {what}: errno {Sys.Errno}");
    }
}
