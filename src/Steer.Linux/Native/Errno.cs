using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

/// <summary>errno values Steer reacts to, and the text the C library gives them.</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9, EAGAIN = 11,
        ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOSPC = 28,
        ENOSYS = 38, ENOTSUP = 95, EOPNOTSUPP = 95, ENETDOWN = 100, ENETUNREACH = 101, ENOBUFS = 105;

    /// <summary>The C library's description of <paramref name="errno"/> ("No such device").</summary>
    public static string Describe(int errno) =>
        Marshal.PtrToStringUTF8(Libc.strerror(errno)) ?? $"errno {errno}";

    /// <summary>The errno of the last failed P/Invoke on this thread.</summary>
    public static int Last => Marshal.GetLastPInvokeError();
}

/// <summary>A failed system or library call: what was attempted, and the kernel's errno.</summary>
public class LinuxException : Exception
{
    public int Errno { get; }

    public LinuxException(string what, int errno)
        : base($"{what}: {Native.Errno.Describe(errno)} (errno {errno})") => Errno = errno;

    public LinuxException(string what, int errno, string detail)
        : base($"{what}: {Native.Errno.Describe(errno)} (errno {errno}){Environment.NewLine}{detail}") => Errno = errno;

    /// <summary>Throws for the last P/Invoke error when <paramref name="result"/> is negative.</summary>
    public static int ThrowIfNegative(int result, string what) =>
        result < 0 ? throw new LinuxException(what, Native.Errno.Last) : result;
}
