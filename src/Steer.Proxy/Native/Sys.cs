using System.Runtime.InteropServices;

namespace Steer.Proxy.Native;

/// <summary>
/// The libc calls of the proxy's data path, one <c>[LibraryImport]</c> each, on raw fds: the relay
/// works with fds, epoll and splice, not System.Net.Sockets, so that an idle flow holds no buffer
/// and a relayed byte is never copied into user space. Nothing here throws; callers read errno.
/// </summary>
internal static unsafe partial class Sys
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bind(int fd, void* addr, int addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int listen(int fd, int backlog);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int accept4(int fd, void* addr, int* addrlen, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int connect(int fd, void* addr, int addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int shutdown(int fd, int how);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getsockname(int fd, void* addr, int* addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getpeername(int fd, void* addr, int* addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint splice(int fdIn, long* offIn, int fdOut, long* offOut, nuint length, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int pipe2(int* fds, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_wait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint sendto(int fd, void* buffer, nuint length, int flags, void* addr, int addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recvfrom(int fd, void* buffer, nuint length, int flags, void* addr, int* addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint sendmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, int* value);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setns(int fd, int nstype);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getrlimit(int resource, ulong* limit);

    internal const int AF_INET = 2, AF_INET6 = 10;
    internal const int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    internal const int IPPROTO_TCP = 6, IPPROTO_UDP = 17;
    internal const int SOL_SOCKET = 1, SOL_IP = 0, SOL_IPV6 = 41;
    internal const int SO_REUSEADDR = 2, SO_ERROR = 4, SO_RCVBUF = 8, SO_LINGER = 13, SO_REUSEPORT = 15, SO_BINDTODEVICE = 25, SO_MARK = 36;
    internal const int IP_TRANSPARENT = 19, IP_RECVORIGDSTADDR = 20, IP_ORIGDSTADDR = 20, IP_FREEBIND = 15;
    internal const int IPV6_V6ONLY = 26, IPV6_RECVORIGDSTADDR = 74, IPV6_ORIGDSTADDR = 74, IPV6_TRANSPARENT = 75;
    internal const int TCP_NODELAY = 1;
    internal const int SHUT_WR = 1;
    internal const uint SPLICE_F_MOVE = 1, SPLICE_F_NONBLOCK = 2, SPLICE_F_MORE = 4;
    internal const int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    internal const int F_SETPIPE_SZ = 1031;
    internal const int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000, EPOLLET = 1u << 31;
    internal const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    internal const int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_PEEK = 0x2;
    internal const nuint SIOCOUTQ = 0x5411;
    internal const int CLONE_NEWNET = 0x40000000;

    internal const int EINTR = 4, EAGAIN = 11, ENOENT = 2, EINPROGRESS = 115, ECONNRESET = 104, EPIPE = 32, ENODEV = 19, ENETUNREACH = 101, ECONNREFUSED = 111, EADDRINUSE = 98;

    internal static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>setsockopt of one int.</summary>
    internal static int SetInt(int fd, int level, int name, int value) => setsockopt(fd, level, name, &value, sizeof(int));

    internal static int GetInt(int fd, int level, int name)
    {
        int value = 0, length = sizeof(int);
        return getsockopt(fd, level, name, &value, &length) < 0 ? -Errno : value;
    }

    /// <summary>SO_LINGER {on, 0}: close() then sends a reset and leaves no TIME_WAIT behind.</summary>
    internal static void SetAbortiveClose(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        setsockopt(fd, SOL_SOCKET, SO_LINGER, linger, 8);
    }
}

/// <summary>struct epoll_event: packed on x86-64 (12 bytes), naturally aligned elsewhere.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}

/// <summary>struct msghdr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public int NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}
