using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket on a plain fd, read and written with libc.
/// <para>
/// .NET refuses that family in <c>new Socket(...)</c>, and wrapping the fd in a
/// <see cref="Socket"/> anyway cost `steer run` about 10 ms of start-up (System.Net.Sockets'
/// types and its async engine) for two requests and a monitor. Blocking calls are all Steer
/// needs: requests are synchronous, and a monitor waits on its own thread with
/// <see cref="WaitForDatagram"/>, which a stop signal (an eventfd) interrupts.
/// </para>
/// Datagrams are received whole: their size is peeked first, so a large message is never
/// truncated by a buffer that happened to be too small.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    /// <summary>Enough for any dump skb the kernel builds (it caps them at 32 KiB), so the
    /// buffer rarely grows; larger single messages still fit because the buffer grows to them.</summary>
    private const int InitialReceiveBuffer = 32 * 1024;

    private readonly SafeHandle _fd;
    private readonly IDisposable? _owner;
    private byte[]? _buffer;

    private NetlinkSocket(SafeHandle fd, IDisposable? owner = null)
    {
        _fd = fd;
        _owner = owner;
    }

    /// <summary>Wraps an already-open datagram socket: tests put a scripted "kernel" at its other end.</summary>
    internal static NetlinkSocket Wrap(Socket socket) => new(socket.SafeHandle, socket);

    /// <summary>Opens and binds a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open()
    {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Nl.NETLINK_ROUTE);
        if (fd < 0)
            throw new LinuxException("socket(AF_NETLINK, NETLINK_ROUTE)", Errno.Last);
        var netlink = new NetlinkSocket(new SafeFileHandle(fd, ownsHandle: true));
        try
        {
            netlink.Bind();
            // Errors then carry the kernel's reason as text, and do not echo our whole request.
            netlink.SetOption(Nl.NETLINK_EXT_ACK, 1);
            netlink.SetOption(Nl.NETLINK_CAP_ACK, 1);
            return netlink;
        }
        catch
        {
            netlink.Dispose();
            throw;
        }
    }

    /// <summary>Joins an RTNLGRP_* multicast group to receive its notifications.</summary>
    public void JoinGroup(uint group) => SetOption(Nl.NETLINK_ADD_MEMBERSHIP, (int)group);

    public void Send(ReadOnlySpan<byte> message)
    {
        nint sent;
        int fd = Acquire();
        try
        {
            fixed (byte* data = message)
            {
                do
                    sent = Libc.send(fd, data, (nuint)message.Length, 0);
                while (sent < 0 && Errno.Last == Errno.EINTR);
            }
        }
        finally
        {
            Release();
        }
        if (sent < 0)
            throw new LinuxException("netlink send", Errno.Last);
        if (sent != message.Length)
            throw new IOException($"netlink send wrote {sent} of {message.Length} bytes");
    }

    /// <summary>Blocks for the next datagram; the span is valid until the next receive.</summary>
    public ReadOnlySpan<byte> Receive() => ReceiveOfSize(PeekSize());

    /// <summary>
    /// Blocks until a datagram is queued and returns its size, or returns -1 as soon as
    /// <paramref name="stopFd"/> (an eventfd) becomes readable.
    /// </summary>
    /// <exception cref="NetlinkOverrunException">The kernel dropped notifications (ENOBUFS).</exception>
    public int WaitForDatagram(int stopFd)
    {
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = Acquire(), Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = stopFd, Events = Libc.POLLIN };
        try
        {
            while (true)
            {
                if (Libc.poll(fds, 2, -1) < 0)
                {
                    if (Errno.Last == Errno.EINTR)
                        continue;
                    throw new LinuxException("poll(netlink)", Errno.Last);
                }
                if (fds[1].Revents != 0)
                    return -1;
                if (fds[0].Revents != 0)
                    return PeekSize();
            }
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Receives the next datagram, known to be <paramref name="size"/> bytes long, into
    /// the socket's reused buffer; the span is valid until the next receive.</summary>
    public ReadOnlySpan<byte> ReceiveOfSize(int size)
    {
        if (_buffer is null || _buffer.Length < size)
        {
            if (_buffer is not null)
                ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, InitialReceiveBuffer));
        }
        return _buffer.AsSpan(0, ReceiveInto(_buffer));
    }

    /// <summary>Receives the next datagram into memory the caller owns; returns its length.</summary>
    public int ReceiveInto(Span<byte> into)
    {
        nint received;
        int fd = Acquire();
        try
        {
            fixed (byte* data = into)
            {
                do
                    received = Libc.recv(fd, data, (nuint)into.Length, Libc.MSG_TRUNC);
                while (received < 0 && Errno.Last == Errno.EINTR);
            }
        }
        finally
        {
            Release();
        }
        if (received < 0)
            throw ReceiveError("netlink recv");
        if (received > into.Length)
            throw new IOException($"netlink datagram of {received} bytes truncated to {into.Length}");
        return (int)received;
    }

    public void Dispose()
    {
        if (_owner is not null)
            _owner.Dispose();
        else
            _fd.Dispose();
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>The fd, held open until <see cref="Release"/>: a monitor's Dispose on another
    /// thread then never closes it under a running call (nor lets its number be reused).</summary>
    private int Acquire()
    {
        bool added = false;
        _fd.DangerousAddRef(ref added); // throws ObjectDisposedException once disposed
        return (int)_fd.DangerousGetHandle();
    }

    private void Release() => _fd.DangerousRelease();

    private int PeekSize()
    {
        byte header;
        nint size;
        int fd = Acquire();
        try
        {
            do
                size = Libc.recv(fd, &header, 1, Libc.MSG_PEEK | Libc.MSG_TRUNC);
            while (size < 0 && Errno.Last == Errno.EINTR);
        }
        finally
        {
            Release();
        }
        if (size < 0)
            throw ReceiveError("netlink recv(MSG_PEEK)");
        return (int)size;
    }

    private static Exception ReceiveError(string what) =>
        Errno.Last == Errno.ENOBUFS ? new NetlinkOverrunException() : new LinuxException(what, Errno.Last);

    private void SetOption(int option, int value)
    {
        int fd = Acquire();
        try
        {
            if (Libc.setsockopt(fd, Nl.SOL_NETLINK, option, &value, sizeof(int)) < 0)
                throw new LinuxException($"setsockopt(SOL_NETLINK, {option})", Errno.Last);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// Binds with port id 0 so the kernel assigns a unique one. An unbound socket has port id 0,
    /// and the kernel leaves the sender's port id out of a multicast: notifications the kernel
    /// itself originates (port id 0, such as a carrier change) would never reach it.
    /// </summary>
    private void Bind()
    {
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        byte* address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        *(ushort*)address = Libc.AF_NETLINK;
        int fd = Acquire();
        try
        {
            if (Libc.bind(fd, address, 12) < 0)
                throw new LinuxException("bind(AF_NETLINK)", Errno.Last);
        }
        finally
        {
            Release();
        }
    }
}

/// <summary>The kernel dropped notifications because the socket's queue was full (ENOBUFS):
/// a listener must re-read the state it follows.</summary>
internal sealed class NetlinkOverrunException() : IOException("netlink notifications were lost (ENOBUFS)");
