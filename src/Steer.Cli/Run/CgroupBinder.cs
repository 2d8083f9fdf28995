using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Steer.Linux.Probes;
using Steer.Linux.SocketPlane;

namespace Steer.Cli.Run;

/// <summary>
/// <c>steer run --cgroup PATH</c> and <c>steer unbind --cgroup PATH</c>: binds a cgroup that
/// someone else manages (a systemd service) and leaves the programs pinned under
/// /run/steer/bpf/bind-ID, where ID is the cgroup's id, until unbind removes them.
/// </summary>
internal static class CgroupBinder
{
    public const string Prefix = "bind-";

    public static int Bind(RunRequest request, TextWriter output)
    {
        KernelFeatures.Require(KernelFeatures.ForRun);
        var iface = InterfaceCheck.Resolve(request.Interface, Console.Error);
        var cgroup = Cgroup.Find(request.CgroupPath!);
        var pins = PinDirectory(cgroup);
        if (Directory.Exists(pins))
            throw new InvalidOperationException($"{cgroup.Path} is already bound by Steer; `steer unbind --cgroup {request.CgroupPath}` first");
        if (!SteerMounts.BpfRootOutlivesThisProcess())
            throw new InvalidOperationException(
                $"the binding would not outlive this command: {SteerMounts.BpfDirectory} is mounted only in this mount namespace " +
                "(ip netns exec?); run `steer probe` once outside it, which mounts Steer's bpffs for the whole host");
        var binding = RunBinding.Attach(cgroup, new RunBindingOptions(request.Interface, iface.Index, request.Excluded, request.Dns), pins);
        // The pins hold the attachment; this process's handles can go. Dispose would unpin, so
        // the object is deliberately dropped: its fds close when the process exits.
        GC.KeepAlive(binding);
        output.WriteLine($"steer: {cgroup.Path} is bound to {request.Interface} (pinned at {pins}); undo with: steer unbind --cgroup {request.CgroupPath}");
        return 0;
    }

    public static int Unbind(string cgroupPath, TextWriter output)
    {
        var cgroup = Cgroup.Find(cgroupPath);
        var pins = PinDirectory(cgroup);
        if (!Directory.Exists(pins))
            throw new InvalidOperationException($"{cgroup.Path} is not bound by Steer (no {pins})");
        RunBinding.Unpin(pins);
        output.WriteLine($"steer: {cgroup.Path} is no longer bound");
        return 0;
    }

    private static string PinDirectory(Cgroup cgroup) => Path.Combine(SteerMounts.BpfRoot(), Prefix + cgroup.Id);
}
