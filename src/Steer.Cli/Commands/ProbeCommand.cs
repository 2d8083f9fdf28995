using System.CommandLine;
using Steer.Linux.Probes;

namespace Steer.Cli.Commands;

/// <summary><c>steer probe</c>: which kernel features Steer needs, and whether this kernel has them.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var probe = new Command("probe", "Check the running kernel for every feature Steer needs (exit code 1 if one is missing).");
        probe.SetAction(_ =>
        {
            Console.WriteLine($"kernel {KernelFeatures.KernelRelease}");
            bool allPresent = true;
            foreach (var feature in KernelFeatures.ForRun)
            {
                bool available = KernelFeatures.IsAvailable(feature);
                allPresent &= available;
                Console.WriteLine($"  {(available ? "ok     " : "MISSING")}  {feature}");
            }
            return allPresent ? 0 : 1;
        });
        return probe;
    }
}
