using System.Runtime.InteropServices;
using Steer.Linux.Cgroups;
using Steer.Linux.Native;
using Steer.Linux.Processes;

namespace Steer.Cli.Run;

/// <summary>
/// Starts CMD inside a cgroup and relays signals to it. The child must be in the cgroup before
/// its first instruction, so Steer joins the cgroup itself for the moment of the fork (a child
/// inherits its parent's cgroup) and goes back at once; Steer opens no inet socket meanwhile.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly SpawnedProcess process;
    private readonly List<PosixSignalRegistration> registrations = [];

    private ChildProcess(SpawnedProcess process) => this.process = process;

    public int Pid => process.Pid;

    public static ChildProcess StartIn(Cgroup cgroup, IReadOnlyList<string> command)
    {
        var home = Cgroup.OfProcess();
        cgroup.AddProcess(Environment.ProcessId);
        SpawnedProcess process;
        try
        {
            process = SpawnedProcess.Start(command);
        }
        catch (SpawnException e)
        {
            throw new CommandNotStartedException(e.Message, e.Errno == Errno.ENOENT ? 127 : 126);
        }
        finally
        {
            home.AddProcess(Environment.ProcessId);
        }
        var child = new ChildProcess(process);
        child.RelaySignals();
        return child;
    }

    /// <summary>Waits for CMD: its exit code, or 128+N when signal N ended it, as shells report it.</summary>
    public int WaitForExit() => process.Exited.GetAwaiter().GetResult();

    /// <summary>
    /// SIGTERM, SIGHUP and SIGQUIT are passed to CMD, and Steer waits for CMD to end. SIGINT too,
    /// unless it came from the terminal: then CMD, in the terminal's foreground process group with
    /// Steer, got its own copy, and a second one would look like a double Ctrl-C.
    /// </summary>
    private void RelaySignals()
    {
        foreach (var (signal, number) in new[] { (PosixSignal.SIGTERM, Libc.SIGTERM), (PosixSignal.SIGHUP, Libc.SIGHUP), (PosixSignal.SIGQUIT, Libc.SIGQUIT), (PosixSignal.SIGINT, Libc.SIGINT) })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (number == Libc.SIGINT && TerminalDeliveredToChildToo())
                    return;
                process.Signal(number);
            }));
        }
    }

    private bool TerminalDeliveredToChildToo()
    {
        int ownGroup = Libc.getpgrp();
        return Libc.isatty(0) == 1 && Libc.tcgetpgrp(0) == ownGroup && Libc.getpgid(process.Pid) == ownGroup;
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
            registration.Dispose();
    }
}

/// <summary>CMD could not be executed; <see cref="ExitCode"/> follows the shell's 126/127.</summary>
internal sealed class CommandNotStartedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
