using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket. .NET refuses that family in <c>new Socket(...)</c>, so the
/// fd comes from libc and is wrapped; <see cref="Socket"/> then does send, receive, async waits
/// and cancellation. Datagrams are received whole: their size is peeked first, so a large message
/// is never truncated by a buffer that happened to be too small.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    /// <summary>Enough for any dump skb the kernel builds (it caps them at 32 KiB), so the
    /// buffer rarely grows; larger single messages still fit because the buffer grows to them.</summary>
    private const int InitialReceiveBuffer = 32 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _peek = new byte[Nl.HeaderSize];
    private byte[]? _buffer;

    private NetlinkSocket(Socket socket) => _socket = socket;

    /// <summary>Wraps an already-open datagram socket: tests put a scripted "kernel" at its other end.</summary>
    internal static NetlinkSocket Wrap(Socket socket) => new(socket);

    /// <summary>Opens and binds a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open()
    {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Nl.NETLINK_ROUTE);
        if (fd < 0)
            throw new LinuxException("socket(AF_NETLINK, NETLINK_ROUTE)", Errno.Last);
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            Bind(handle);
            var netlink = new NetlinkSocket(new Socket(handle));
            // Errors then carry the kernel's reason as text, and do not echo our whole request.
            netlink.SetOption(Nl.NETLINK_EXT_ACK, 1);
            netlink.SetOption(Nl.NETLINK_CAP_ACK, 1);
            return netlink;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Joins an RTNLGRP_* multicast group to receive its notifications.</summary>
    public void JoinGroup(uint group) => SetOption(Nl.NETLINK_ADD_MEMBERSHIP, (int)group);

    public void Send(ReadOnlySpan<byte> message)
    {
        int sent = _socket.Send(message);
        if (sent != message.Length)
            throw new IOException($"netlink send wrote {sent} of {message.Length} bytes");
    }

    /// <summary>Blocks for the next datagram; the span is valid until the next receive.</summary>
    public ReadOnlySpan<byte> Receive() => ReceiveOfSize(_socket.Receive(_peek, SocketFlags.Peek | SocketFlags.Truncated));

    /// <summary>Waits without blocking a thread until a datagram is queued, and returns its size.</summary>
    public ValueTask<int> WaitForDatagramAsync(CancellationToken cancellation) =>
        _socket.ReceiveAsync(_peek, SocketFlags.Peek | SocketFlags.Truncated, cancellation);

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
        int received = _socket.Receive(into, SocketFlags.Truncated);
        if (received > into.Length)
            throw new IOException($"netlink datagram of {received} bytes truncated to {into.Length}");
        return received;
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    private void SetOption(int option, int value) =>
        _socket.SetRawSocketOption(Nl.SOL_NETLINK, option, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in value)));

    /// <summary>
    /// Binds with port id 0 so the kernel assigns a unique one. An unbound socket has port id 0,
    /// and the kernel leaves the sender's port id out of a multicast: notifications the kernel
    /// itself originates (port id 0, such as a carrier change) would never reach it.
    /// </summary>
    private static unsafe void Bind(SafeSocketHandle handle)
    {
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        byte* address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        *(ushort*)address = Libc.AF_NETLINK;
        if (Libc.bind((int)handle.DangerousGetHandle(), address, 12) < 0)
            throw new LinuxException("bind(AF_NETLINK)", Errno.Last);
    }
}
