using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Steer.Linux.Probes;
using Steer.Linux.SocketPlane;
using Steer.Linux.Files;

namespace Steer.Cli.Run;

/// <summary>
/// One <c>steer run --via IFACE -- CMD</c>: a transient cgroup with the binding programs
/// attached, CMD started inside it, and everything removed when CMD ends — also when Steer is
/// asked to stop (the signal goes to CMD, and Steer cleans up once CMD has exited).
/// </summary>
internal sealed class RunSession
{
    private readonly RunRequest request;
    private readonly TextWriter log;

    public RunSession(RunRequest request, TextWriter log)
    {
        this.request = request;
        this.log = log;
    }

    public int Run()
    {
        KernelFeatures.Require(KernelFeatures.ForRun);
        var iface = InterfaceCheck.Resolve(request.Interface, log);
        var cgroupRoot = SteerMounts.CgroupRoot();
        var bpfRoot = SteerMounts.BpfRoot();
        RunJanitor.Sweep(cgroupRoot, bpfRoot);

        var paths = RunPaths.For(Environment.ProcessId, cgroupRoot, bpfRoot);
        using var runLock = ProcessLock.TryTake(paths.Lock)
            ?? throw new InvalidOperationException($"{paths.Lock} is held by another process");
        var cgroup = Cgroup.Create(paths.Cgroup);
        try
        {
            using var binding = RunBinding.Attach(cgroup, new RunBindingOptions(request.Interface, iface.Index, request.Excluded, request.Dns), paths.Pins);
            using var watch = InterfaceWatch.Start(request.Interface, iface.Index, binding, log);
            using var child = ChildProcess.StartIn(cgroup, request.Command);
            int exitCode = child.WaitForExit();
            // What CMD left running would lose its binding with the programs: end it with CMD.
            if (cgroup.IsPopulated)
                cgroup.KillAll();
            return exitCode;
        }
        finally
        {
            if (cgroup.TryRemove(TimeSpan.FromSeconds(5)))
                cgroup.TryRemoveParentIfEmpty();
            else
                log.WriteLine($"steer: cgroup {cgroup.Path} still has processes; a later steer run removes it");
        }
    }
}
