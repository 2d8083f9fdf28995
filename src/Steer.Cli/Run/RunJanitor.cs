using Steer.Linux.Cgroups;
using Steer.Linux.SocketPlane;
using Steer.Linux.Files;

namespace Steer.Cli.Run;

/// <summary>
/// Removes what runs whose steer process died (SIGKILL, a crash) left behind. A dead run whose
/// program tree still has processes keeps its pinned programs: those processes stay bound (fail
/// closed) and are cleaned up by a later sweep once they are gone.
/// </summary>
internal static class RunJanitor
{
    public static IReadOnlyList<string> Sweep(string cgroupRoot, string bpfRoot)
    {
        var removed = new List<string>();
        var candidates = new HashSet<int>();
        foreach (var dir in Enumerate(Path.Combine(cgroupRoot, RunPaths.CgroupParent)).Concat(Enumerate(bpfRoot)))
        {
            if (int.TryParse(Path.GetFileName(dir).AsSpan(RunPaths.Prefix.Length), out var pid))
                candidates.Add(pid);
        }
        foreach (var pid in candidates)
        {
            if (pid == Environment.ProcessId)
                continue;
            var paths = RunPaths.For(pid, cgroupRoot, bpfRoot);
            using var ownerGone = ProcessLock.TryTake(paths.Lock);
            if (ownerGone is null)
                continue; // its steer process is alive
            var cgroup = new Cgroup(paths.Cgroup);
            if (cgroup.Exists && cgroup.IsPopulated)
                continue; // orphaned programs still run bound; leave them enforced
            RunBinding.Unpin(paths.Pins);
            if (cgroup.Exists && !cgroup.TryRemove(TimeSpan.FromMilliseconds(200)))
                continue;
            cgroup.TryRemoveParentIfEmpty();
            removed.Add($"run-{pid}");
        }
        return removed;
    }

    /// <summary>The run directories there; none when the directory is gone, also when another
    /// run removes it (the last run removes the empty CGROUP2/steer) while this one looks.</summary>
    private static string[] Enumerate(string directory)
    {
        try
        {
            return Directory.GetDirectories(directory, RunPaths.Prefix + "*");
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }
}
