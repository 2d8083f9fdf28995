using Microsoft.Win32.SafeHandles;
using Steer.Linux.Native;

namespace Steer.Linux.Processes;

/// <summary>
/// Collects a spawned child's stdout and stderr in an anonymous memory file (memfd): unlike a
/// pipe it never fills up, so a chatty child cannot block on a reader that waits for its exit.
/// </summary>
public sealed class CapturedOutput : IDisposable
{
    private readonly SafeFileHandle _file;

    public CapturedOutput()
    {
        int fd = LinuxException.ThrowIfNegative(SpawnImports.memfd_create("steer-output", SpawnImports.MFD_CLOEXEC), "memfd_create");
        _file = new SafeFileHandle(fd, ownsHandle: true);
    }

    internal int Fd => (int)_file.DangerousGetHandle();

    /// <summary>Everything written so far, as UTF-8 text.</summary>
    public string ReadAll()
    {
        long length = RandomAccess.GetLength(_file);
        var bytes = new byte[length];
        int read = RandomAccess.Read(_file, bytes, 0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, read);
    }

    public void Dispose() => _file.Dispose();
}
