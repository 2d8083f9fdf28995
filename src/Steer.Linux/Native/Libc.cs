using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

/// <summary>
/// The libc calls Steer needs, one <c>[LibraryImport]</c> each. Callers turn failures into
/// <see cref="LinuxException"/> through <see cref="Errno"/>; nothing here throws by itself.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    /// <summary>open(2) with a mode, for O_CREAT.</summary>
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, int mode);

    /// <summary>stat(2); <paramref name="buffer"/> must hold a struct stat (144 bytes on 64-bit Linux).</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int stat(string path, byte* buffer);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int umount2(string target, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bind(int fd, void* addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setns(int fd, int nstype);

    /// <summary>unshare(2): the calling thread (not the process) gets new namespaces.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int unshare(int flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int unlink(string path);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mkdir(string path, int mode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getpgrp();

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getpgid(int pid);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int tcgetpgrp(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int isatty(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getpid();

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int flock(int fd, int operation);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mount(string? source, string target, string? fstype, nuint flags, string? data);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int optname, void* optval, uint optlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getsockopt(int fd, int level, int optname, void* optval, uint* optlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    [LibraryImport(Lib)]
    internal static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);

    [LibraryImport(Lib)]
    internal static partial nint strerror(int errnum);

    internal const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGTERM = 15;
    internal const int LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    internal const int CLONE_NEWNET = 0x40000000;
    internal const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    internal const int MNT_DETACH = 2;
    internal const nuint MS_BIND = 0x1000, MS_REC = 0x4000, MS_SHARED = 0x100000;
    internal const int O_EXCL = 0x80, O_WRONLY = 1, O_APPEND = 0x400;
    internal const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    internal const int O_RDWR = 2, O_NONBLOCK = 0x800, O_CREAT = 0x40;
    internal const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    internal const short POLLIN = 1;

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
