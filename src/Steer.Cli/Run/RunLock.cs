using Microsoft.Win32.SafeHandles;
using Steer.Linux.Native;

namespace Steer.Cli.Run;

/// <summary>
/// An flock held for the life of a run. The kernel drops it when the process dies, however it
/// dies, so "can I take this lock?" answers "is its owner gone?" without trusting pids.
/// </summary>
internal sealed class RunLock : IDisposable
{
    private readonly SafeFileHandle handle;
    private readonly string path;

    private RunLock(SafeFileHandle handle, string path)
    {
        this.handle = handle;
        this.path = path;
    }

    public static RunLock? TryTake(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        if (Libc.flock((int)handle.DangerousGetHandle(), Libc.LOCK_EX | Libc.LOCK_NB) < 0)
        {
            handle.Dispose();
            return null;
        }
        return new RunLock(handle, path);
    }

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose()
    {
        File.Delete(path);
        handle.Dispose();
    }
}
