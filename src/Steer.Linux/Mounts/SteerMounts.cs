using Steer.Linux.Native;

namespace Steer.Linux.Mounts;

/// <summary>
/// The filesystems Steer needs, found where the system has them or mounted under /run/steer.
/// /run is shared with <c>ip netns exec</c> commands (which remount /sys), so state kept there is
/// visible from every network namespace.
/// </summary>
public static class SteerMounts
{
    public const string RunDirectory = "/run/steer";
    public const string BpfDirectory = RunDirectory + "/bpf";
    private const string OwnCgroupMount = RunDirectory + "/cgroup2";

    /// <summary>The cgroup v2 mount point: the system's (from mountinfo), else one Steer mounts.</summary>
    public static string CgroupRoot()
    {
        var mount = MountTable.FindByType("cgroup2");
        if (mount is not null && mount.Root == "/")
            return mount.MountPoint;
        return MountOnce(OwnCgroupMount, "cgroup2", "cgroup2");
    }

    /// <summary>Steer's own bpffs at /run/steer/bpf, mounted if it is not yet.</summary>
    public static string BpfRoot() => MountOnce(BpfDirectory, "bpf", "bpf");

    /// <summary>
    /// True when Steer's bpffs is also mounted in the host's mount namespace (PID 1's). Pins
    /// meant to outlive this command need that: under <c>ip netns exec</c>, which runs in a
    /// private mount namespace, a bpffs mounted here would vanish with the command, and the
    /// pinned programs with it.
    /// </summary>
    public static bool BpfRootOutlivesThisProcess()
    {
        try
        {
            return MountTable.Read("/proc/1/mountinfo").Any(m => m.MountPoint == BpfDirectory && m.FileSystemType == "bpf");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true; // no view of PID 1 (a container): nothing better to go by
        }
    }

    private static string MountOnce(string path, string type, string source)
    {
        if (MountTable.IsMountPointOf(path, type))
            return path;
        Directory.CreateDirectory(path);
        if (Libc.mount(source, path, type, 0, null) < 0)
        {
            int errno = Errno.Last;
            throw new LinuxException(
                $"mount {type} at {path}" + (errno == Errno.EPERM ? " (Steer must run as root)" : errno == Errno.ENODEV ? $" (the kernel has no {type} filesystem)" : ""), errno);
        }
        return path;
    }
}
