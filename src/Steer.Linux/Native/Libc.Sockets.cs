using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

/// <summary>Datagram I/O on raw socket fds (netlink), without System.Net.Sockets.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    internal const int MSG_PEEK = 0x02, MSG_TRUNC = 0x20;
}
