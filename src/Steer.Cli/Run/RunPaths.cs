using Steer.Linux.Mounts;

namespace Steer.Cli.Run;

/// <summary>
/// Where one run keeps its state, all named after the steer process that owns it:
/// the cgroup CGROUP2/steer/run-PID, the pins /run/steer/bpf/run-PID, the lock /run/steer/runs/PID.lock
/// (held while the owner lives, so a sweeper can tell a live run from a leftover).
/// </summary>
internal sealed record RunPaths(string Cgroup, string Pins, string Lock)
{
    public const string CgroupParent = "steer";
    public const string Prefix = "run-";

    public static string LockDirectory => SteerMounts.RunDirectory + "/runs";

    public static RunPaths For(int pid, string cgroupRoot, string bpfRoot) => new(
        Path.Combine(cgroupRoot, CgroupParent, Prefix + pid),
        Path.Combine(bpfRoot, Prefix + pid),
        Path.Combine(LockDirectory, pid + ".lock"));
}
