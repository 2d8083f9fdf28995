using System.CommandLine;
using Steer.Linux.Mounts;
using Steer.Linux.Probes;

namespace Steer.Cli.Commands;

/// <summary><c>steer probe</c>: which kernel features Steer needs, and whether this kernel has them.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var probe = new Command("probe", """
            Check the kernel for every feature Steer needs, and mount Steer's filesystems.

            Exit code 1 names a missing feature and the kernel that has it. The filesystems are
            cgroup v2 (the system's, else one under /run/steer) and Steer's bpffs at
            /run/steer/bpf, where pinned programs live.

            Example:
              steer probe
            """);
        probe.SetAction(_ =>
        {
            Console.WriteLine($"kernel {KernelFeatures.KernelRelease}");
            bool allPresent = true;
            foreach (var feature in KernelFeatures.ForRun.Concat(KernelFeatures.ForHost).Distinct())
            {
                bool available = KernelFeatures.IsAvailable(feature);
                allPresent &= available;
                Console.WriteLine($"  {(available ? "ok     " : "MISSING")}  {feature}");
            }
            if (allPresent)
            {
                Console.WriteLine($"cgroup v2 at {SteerMounts.CgroupRoot()}");
                Console.WriteLine($"bpffs at {SteerMounts.BpfRoot()}" + (SteerMounts.BpfRootOutlivesThisProcess() ? "" : " (in this mount namespace only)"));
            }
            return allPresent ? 0 : 1;
        });
        return probe;
    }
}
