using Steer.Lab;

namespace Steer.Integration.Tests.Run;

/// <summary>The steer command built beside these tests, run inside a lab host.</summary>
internal static class SteerBinary
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "steer");

    public static string[] Run(string via, params string[] command) => [Path, "run", "--via", via, "--", .. command];

    public static string[] RunWith(string[] options, params string[] command) => [Path, "run", .. options, "--", .. command];

    /// <summary>Asserts that no run left state of Steer's behind (pins, cgroups, locks).</summary>
    public static void AssertNothingLeftBehind()
    {
        var pins = Directory.Exists("/run/steer/bpf") ? Directory.GetDirectories("/run/steer/bpf", "run-*") : [];
        var mine = pins.Where(p => OwnedByDeadOrMe(p)).ToArray();
        Xunit.Assert.Empty(mine);
        var cgroupRoot = Steer.Linux.Mounts.SteerMounts.CgroupRoot();
        var cgroups = Directory.Exists(cgroupRoot + "/steer") ? Directory.GetDirectories(cgroupRoot + "/steer", "run-*") : [];
        Xunit.Assert.DoesNotContain(cgroups, OwnedByDeadOrMe);
    }

    // Runs of other tests may be live right now (tests run in parallel); only a run whose steer
    // process is gone and left its state is a leak. Except by design: a SIGKILLed steer's
    // orphaned program keeps its binding (fail closed) while it lives in the run's cgroup.
    private static bool OwnedByDeadOrMe(string directory)
    {
        var pid = int.Parse(System.IO.Path.GetFileName(directory)["run-".Length..]);
        if (Directory.Exists($"/proc/{pid}"))
            return false;
        var members = System.IO.Path.Combine(Steer.Linux.Mounts.SteerMounts.CgroupRoot(), "steer", $"run-{pid}", "cgroup.procs");
        return !File.Exists(members) || File.ReadAllText(members).Trim().Length == 0;
    }
}
