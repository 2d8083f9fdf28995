using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

internal static partial class Libc
{
    /// <summary>rmdir(2): unlike Directory.Delete it never recurses and costs no exception when
    /// the directory is busy, which is the expected case for a shared parent cgroup.</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rmdir(string path);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fsync(int fd);
}
