using Microsoft.Win32.SafeHandles;
using Steer.Linux.Native;

namespace Steer.Linux.Files;

/// <summary>
/// An flock held for the life of a process (a run, the daemon). The kernel drops it when the
/// process dies, however it dies, so "can I take this lock?" answers "is its owner gone?"
/// without trusting pids.
/// </summary>
public sealed class ProcessLock : IDisposable
{
    private readonly SafeFileHandle handle;
    private readonly string path;

    private ProcessLock(SafeFileHandle handle, string path)
    {
        this.handle = handle;
        this.path = path;
    }

    public static ProcessLock? TryTake(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Opened with libc, not File.OpenHandle: .NET takes its own flock for FileShare.None,
        // which would collide with the lock this class is about.
        int fd = Libc.open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            throw new LinuxException($"open {path}", Errno.Last);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) < 0)
        {
            handle.Dispose();
            return null;
        }
        return new ProcessLock(handle, path);
    }

    /// <summary>Writes the owner's pid into the lock file, for messages ("running as pid N").</summary>
    public void WriteOwner()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, text, 0);
    }

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose()
    {
        File.Delete(path);
        handle.Dispose();
    }
}
