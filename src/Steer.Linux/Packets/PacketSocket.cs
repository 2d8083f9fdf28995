using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Steer.Linux.Native;

namespace Steer.Linux.Packets;

/// <summary>
/// An AF_PACKET capture socket of the cooked kind (SOCK_DGRAM): every packet starts at its
/// network header, whatever the device puts before it (Ethernet, VLAN tags, nothing on
/// TUN/WireGuard); where it was seen comes with it as a <see cref="PacketInfo"/>.
/// <para>
/// It is opened receiving nothing: attach a filter first (<c>BpfObject.AttachSocketFilter</c>),
/// then <see cref="Bind"/>, so that not one unfiltered packet is ever queued. Like the netlink
/// socket it is a plain fd read with libc, without System.Net.Sockets. It belongs to the network
/// namespace of the thread that opened it.
/// </para>
/// </summary>
public sealed unsafe class PacketSocket : IDisposable
{
    private readonly SafeFileHandle _fd;

    private PacketSocket(SafeFileHandle fd) => _fd = fd;

    /// <summary>The socket, for attaching a filter.</summary>
    public SafeHandle Handle => _fd;

    /// <summary>Opens a socket in the calling thread's network namespace. Needs CAP_NET_RAW.</summary>
    public static PacketSocket Open()
    {
        // Protocol 0: no packet is delivered until Bind names one.
        int fd = Libc.socket(Libc.AF_PACKET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new LinuxException("socket(AF_PACKET, SOCK_DGRAM)", Errno.Last);
        return new PacketSocket(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Leaves out packets this host sends (PACKET_IGNORE_OUTGOING, Linux 4.20): the
    /// kernel then does not even clone them for this socket.</summary>
    public void IgnoreOutgoing() => SetOption(Libc.SOL_PACKET, Libc.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");

    /// <summary>Asks for a receive queue of <paramref name="bytes"/> (SO_RCVBUF; the kernel caps it at net.core.rmem_max).</summary>
    public void SetReceiveBuffer(int bytes) => SetOption(Libc.SOL_SOCKET, Libc.SO_RCVBUF, bytes, "SO_RCVBUF");

    /// <summary>Starts receiving every protocol on one interface, or on all when
    /// <paramref name="interfaceIndex"/> is 0 (then also on interfaces added later).</summary>
    public void Bind(int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        var address = new Libc.SockaddrLl
        {
            Family = Libc.AF_PACKET,
            Protocol = BinaryPrimitives.ReverseEndianness((ushort)Libc.ETH_P_ALL),
            InterfaceIndex = interfaceIndex,
        };
        int fd = Acquire();
        try
        {
            if (Libc.bind(fd, &address, (uint)sizeof(Libc.SockaddrLl)) < 0)
                throw new LinuxException($"bind(AF_PACKET, ifindex {interfaceIndex})", Errno.Last);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// Takes the next queued packet into <paramref name="buffer"/> without blocking; false when
    /// none is queued. A packet longer than the buffer is cut to it: compare
    /// <see cref="PacketInfo.Length"/> with the buffer's length.
    /// </summary>
    /// <exception cref="LinuxException">The socket failed, e.g. ENETDOWN: the interface it was bound to went away.</exception>
    public bool TryReceive(Span<byte> buffer, out PacketInfo info)
    {
        Libc.SockaddrLl address;
        uint addressLength = (uint)sizeof(Libc.SockaddrLl);
        nint received;
        int fd = Acquire();
        try
        {
            fixed (byte* data = buffer)
            {
                do
                    received = Libc.recvfrom(fd, data, (nuint)buffer.Length, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC, &address, &addressLength);
                while (received < 0 && Errno.Last == Errno.EINTR);
            }
        }
        finally
        {
            Release();
        }
        if (received < 0)
        {
            int errno = Errno.Last;
            info = default;
            return errno == Errno.EAGAIN ? false : throw new LinuxException("recvfrom(AF_PACKET)", errno);
        }
        info = new PacketInfo(address.InterfaceIndex, (PacketType)address.PacketType,
            BinaryPrimitives.ReverseEndianness(address.Protocol), address.HardwareType, (int)received);
        return true;
    }

    /// <summary>PACKET_STATISTICS since the previous call (reading resets the kernel's counters).</summary>
    public PacketStatistics TakeStatistics()
    {
        Libc.TpacketStats stats;
        uint length = (uint)sizeof(Libc.TpacketStats);
        int fd = Acquire();
        try
        {
            if (Libc.getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, &stats, &length) < 0)
                throw new LinuxException("getsockopt(PACKET_STATISTICS)", Errno.Last);
        }
        finally
        {
            Release();
        }
        return new PacketStatistics(stats.Packets, stats.Drops);
    }

    public void Dispose() => _fd.Dispose();

    /// <summary>The fd, held open until <see cref="Release"/>: a Dispose on another thread never
    /// closes it under a running call (nor lets its number be reused).</summary>
    internal int Acquire()
    {
        bool added = false;
        _fd.DangerousAddRef(ref added); // throws ObjectDisposedException once disposed
        return (int)_fd.DangerousGetHandle();
    }

    internal void Release() => _fd.DangerousRelease();

    private void SetOption(int level, int option, int value, string name)
    {
        int fd = Acquire();
        try
        {
            if (Libc.setsockopt(fd, level, option, &value, sizeof(int)) < 0)
                throw new LinuxException($"setsockopt({name})", Errno.Last);
        }
        finally
        {
            Release();
        }
    }
}
