using Microsoft.Win32.SafeHandles;
using Steer.Linux.Mounts;
using Steer.Linux.Native;

namespace Steer.Linux.Cgroups;

/// <summary>A cgroup v2 directory: create, join, inspect, empty and remove it.</summary>
public sealed class Cgroup
{
    /// <summary>The directory in the cgroup2 mount.</summary>
    public string Path { get; }

    public Cgroup(string path) => Path = System.IO.Path.GetFullPath(path);

    public bool Exists => Directory.Exists(Path) && File.Exists(System.IO.Path.Combine(Path, "cgroup.procs"));

    /// <summary>The cgroup this process is in (the "0::" line of /proc/self/cgroup).</summary>
    public static Cgroup OfProcess(int pid = 0)
    {
        var file = pid == 0 ? "/proc/self/cgroup" : $"/proc/{pid}/cgroup";
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{file} has no cgroup v2 entry: is cgroup v2 enabled?");
        return new Cgroup(SteerMounts.CgroupRoot() + line[3..].TrimEnd());
    }

    public static Cgroup Create(string path)
    {
        var cgroup = new Cgroup(path);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(cgroup.Path);
                return cgroup;
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // The parent was just removed by a run that found it empty (TryRemoveParentIfEmpty): make it again.
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"cannot create cgroup {path}: {e.Message}", e);
            }
        }
    }

    /// <summary>The cgroup id the kernel reports (bpftool, bpf_get_current_cgroup_id): the directory's inode.</summary>
    public unsafe ulong Id
    {
        get
        {
            byte* buffer = stackalloc byte[256];
            if (Libc.stat(Path, buffer) < 0)
                throw new LinuxException($"stat {Path}", Errno.Last);
            return *(ulong*)(buffer + 8); // st_ino follows st_dev on 64-bit Linux
        }
    }

    /// <summary>Resolves a user's path: a directory of the cgroup2 mount, or a path relative to its root.</summary>
    public static Cgroup Find(string path)
    {
        foreach (var candidate in new[] { path, SteerMounts.CgroupRoot() + "/" + path.TrimStart('/') })
        {
            var cgroup = new Cgroup(candidate);
            if (cgroup.Exists)
                return cgroup;
        }
        throw new DirectoryNotFoundException($"{path} is not a cgroup (looked for it as given and under {SteerMounts.CgroupRoot()})");
    }

    /// <summary>An fd of the directory, as BPF attach calls want it.</summary>
    public SafeFileHandle OpenDirectory()
    {
        int fd = Libc.open(Path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0)
            throw new LinuxException($"open cgroup {Path}", Errno.Last);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Moves a whole process (all its threads) into this cgroup.</summary>
    public void AddProcess(int pid) => File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.procs"), pid.ToString());

    public IReadOnlyList<int> Processes() =>
        [.. File.ReadAllLines(System.IO.Path.Combine(Path, "cgroup.procs")).Where(l => l.Length > 0).Select(int.Parse)];

    /// <summary>Whether any process lives in this cgroup or below it (cgroup.events).</summary>
    public bool IsPopulated
    {
        get
        {
            try
            {
                return File.ReadLines(System.IO.Path.Combine(Path, "cgroup.events")).Any(l => l == "populated 1");
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary>Kills every process in the cgroup and below, with cgroup.kill (5.14) or one by one.</summary>
    public void KillAll()
    {
        var killFile = System.IO.Path.Combine(Path, "cgroup.kill");
        if (File.Exists(killFile))
        {
            File.WriteAllText(killFile, "1");
            return;
        }
        foreach (var pid in Processes())
            _ = Libc.kill(pid, Libc.SIGKILL);
    }

    /// <summary>Removes the (empty) cgroup, waiting up to <paramref name="timeout"/> for its
    /// processes to finish exiting. Returns false if it still has processes.</summary>
    public bool TryRemove(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (Directory.Exists(Path))
                    Directory.Delete(Path);
                return true;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5); // EBUSY while exiting processes are still being reaped
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary>Removes the parent directory if nothing is in it any more (the last run of
    /// several leaves no empty CGROUP2/steer behind); a parent still in use stays.</summary>
    public void TryRemoveParentIfEmpty()
    {
        var parent = System.IO.Path.GetDirectoryName(Path);
        if (parent is not null)
            _ = Libc.rmdir(parent); // EBUSY/ENOTEMPTY: another run lives there
    }

    public override string ToString() => Path;
}
