using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Steer.Proxy.Native;

/// <summary>
/// Clears the proxy's TIME_WAIT sockets on the intercepted side when the proxy stops (sock_diag
/// SOCK_DESTROY, what <c>ss -K</c> does). Such a socket has the client's own 4-tuple, and once
/// interception is gone, early demux attaches the client's next SYN on that 4-tuple to it and
/// forwarding drops the packet: new connections through the gateway stall for up to a minute.
/// Only sockets whose 4-tuple the proxy itself closed are destroyed; nothing else is touched.
/// </summary>
internal static unsafe partial class TimeWaitReaper
{
    private const int AF_NETLINK = 16, NETLINK_SOCK_DIAG = 4;
    private const ushort SOCK_DIAG_BY_FAMILY = 20, SOCK_DESTROY = 21;
    private const ushort NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_DUMP = 0x300;
    private const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private const int TCP_TIME_WAIT = 6;
    private const int RequestSize = 16 + 56;

    /// <summary>Destroys the TIME_WAIT sockets whose (local, remote) is a flow <paramref name="closedByUs"/>
    /// knows; returns how many.</summary>
    public static int Reap(Func<FlowEndpoint, FlowEndpoint, bool> closedByUs)
    {
        var fd = Sys.socket(AF_NETLINK, 3 /* SOCK_RAW */ | Sys.SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0)
            return 0;
        try
        {
            var victims = new List<byte[]>();
            foreach (var family in new[] { Sys.AF_INET, Sys.AF_INET6 })
                Dump(fd, (byte)family, victims, closedByUs);
            var destroyed = 0;
            foreach (var id in victims)
                if (Destroy(fd, id))
                    destroyed++;
            return destroyed;
        }
        finally
        {
            Sys.close(fd);
        }
    }

    private static void Dump(int fd, byte family, List<byte[]> victims, Func<FlowEndpoint, FlowEndpoint, bool> closedByUs)
    {
        var request = stackalloc byte[RequestSize];
        new Span<byte>(request, RequestSize).Clear();
        *(uint*)request = RequestSize;
        *(ushort*)(request + 4) = SOCK_DIAG_BY_FAMILY;
        *(ushort*)(request + 6) = NLM_F_REQUEST | NLM_F_DUMP;
        *(uint*)(request + 8) = 1;
        request[16] = family;
        request[17] = (byte)Sys.IPPROTO_TCP;
        *(uint*)(request + 20) = 1u << TCP_TIME_WAIT;
        if (Sys.send(fd, request, RequestSize, 0) != RequestSize)
            return;
        var buffer = new byte[65536];
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = (int)Sys.recv(fd, p, (nuint)buffer.Length, 0);
                if (n <= 0)
                    return;
                var at = 0;
                while (at + 16 <= n)
                {
                    var length = *(uint*)(p + at);
                    var type = *(ushort*)(p + at + 4);
                    if (length < 16 || at + length > n)
                        return;
                    if (type is NLMSG_DONE or NLMSG_ERROR)
                        return;
                    if (type == SOCK_DIAG_BY_FAMILY && length >= 16 + 72)
                    {
                        var message = new ReadOnlySpan<byte>(p + at + 16, 72);
                        var id = message.Slice(4, 48);
                        var local = Endpoint(family, id.Slice(4, 16), BinaryPrimitives.ReadUInt16BigEndian(id));
                        var remote = Endpoint(family, id.Slice(20, 16), BinaryPrimitives.ReadUInt16BigEndian(id[2..]));
                        if (message[1] == TCP_TIME_WAIT && closedByUs(remote, local))
                        {
                            var victim = new byte[49];
                            victim[0] = family;
                            id.CopyTo(victim.AsSpan(1));
                            victims.Add(victim);
                        }
                    }
                    at += (int)((length + 3) & ~3u);
                }
            }
        }
    }

    private static FlowEndpoint Endpoint(byte family, ReadOnlySpan<byte> address, ushort port) =>
        family == Sys.AF_INET
            ? FlowEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(address), port)
            : new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(address), port);

    private static bool Destroy(int fd, byte[] victim)
    {
        var request = stackalloc byte[RequestSize];
        new Span<byte>(request, RequestSize).Clear();
        *(uint*)request = RequestSize;
        *(ushort*)(request + 4) = SOCK_DESTROY;
        *(ushort*)(request + 6) = NLM_F_REQUEST | NLM_F_ACK;
        *(uint*)(request + 8) = 2;
        request[16] = victim[0];
        request[17] = (byte)Sys.IPPROTO_TCP;
        *(uint*)(request + 20) = 1u << TCP_TIME_WAIT;
        victim.AsSpan(1).CopyTo(new Span<byte>(request + 24, 48));
        if (Sys.send(fd, request, RequestSize, 0) != RequestSize)
            return false;
        var reply = stackalloc byte[256];
        var n = (int)Sys.recv(fd, reply, 256, 0);
        return n >= 20 && *(ushort*)(reply + 4) == NLMSG_ERROR && *(int*)(reply + 16) == 0;
    }
}
