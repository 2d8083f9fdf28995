using System.Text;
using Steer.Linux.Native;

namespace Steer.Linux.Files;

/// <summary>
/// A small file Steer keeps across restarts and reboots (/var/lib/steer/...), replaced atomically:
/// the new text goes to a temporary file beside it, is flushed to disk, renamed over the old one,
/// and the directory is flushed too. A crash leaves the old file or the new one, never half of
/// one. Writers are serialised by an flock on a lock file beside it.
/// </summary>
public sealed class StateFile(string path)
{
    public string Path { get; } = path;

    /// <summary>The text, or null when the file does not exist yet.</summary>
    public string? Read() => File.Exists(Path) ? File.ReadAllText(Path) : null;

    /// <summary>Reads, transforms and writes back under the lock, so that two `steer rule add`
    /// at once both land. <paramref name="change"/> returns the new text, or null to leave it.</summary>
    public void Update(Func<string?, string?> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        // libc open, not File.OpenHandle: .NET takes a non-blocking flock of its own on open,
        // which would fail instead of wait while another writer holds the lock.
        int lockFd = LinuxException.ThrowIfNegative(Libc.open(Path + ".lock", Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000), $"open {Path}.lock");
        try
        {
            if (Libc.flock(lockFd, Libc.LOCK_EX) < 0)
                throw new LinuxException($"flock {Path}.lock", Errno.Last);
            var next = change(Read());
            if (next is not null)
                WriteAtomically(Path, next);
        }
        finally
        {
            Libc.close(lockFd);
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/> atomically, without
    /// the lock (for files other programs own too, such as resolv.conf, where a lock file beside
    /// it would be litter).</summary>
    public static void WriteAtomically(string path, string text)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            if (File.Exists(path))
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path)); // the replacement keeps the mode
            File.Move(temporary, path, overwrite: true); // rename(2): atomic on one filesystem
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        // The rename lives in the directory: flush it too, or a crash may forget the new name.
        int dir = Libc.open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (dir >= 0)
        {
            _ = Libc.fsync(dir);
            Libc.close(dir);
        }
    }
}
