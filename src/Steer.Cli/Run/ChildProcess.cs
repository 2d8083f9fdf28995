using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Steer.Linux.Cgroups;
using Steer.Linux.Native;

namespace Steer.Cli.Run;

/// <summary>
/// Starts CMD inside a cgroup and relays signals to it. The child must be in the cgroup before
/// its first instruction, so Steer joins the cgroup itself for the moment of the fork (a child
/// inherits its parent's cgroup) and goes back at once; Steer opens no inet socket meanwhile.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly List<PosixSignalRegistration> registrations = [];

    private ChildProcess(Process process) => this.process = process;

    public int Pid => process.Id;

    public static ChildProcess StartIn(Cgroup cgroup, IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
            info.ArgumentList.Add(argument);

        var home = Cgroup.OfProcess();
        cgroup.AddProcess(Environment.ProcessId);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{command[0]}: could not be started");
        }
        catch (Win32Exception e)
        {
            throw new CommandNotStartedException($"{command[0]}: {e.Message}", e.NativeErrorCode == Errno.ENOENT ? 127 : 126);
        }
        finally
        {
            home.AddProcess(Environment.ProcessId);
        }
        var child = new ChildProcess(process);
        child.RelaySignals();
        return child;
    }

    public async Task<int> WaitAsync()
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        // .NET reports a child killed by signal N as 128+N, as shells do; Steer passes it on.
        return process.ExitCode;
    }

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
                _ = Libc.kill(process.Id, number);
            }));
        }
    }

    private bool TerminalDeliveredToChildToo()
    {
        int ownGroup = Libc.getpgrp();
        return Libc.isatty(0) == 1 && Libc.tcgetpgrp(0) == ownGroup && Libc.getpgid(process.Id) == ownGroup;
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
            registration.Dispose();
        process.Dispose();
    }
}

/// <summary>CMD could not be executed; <see cref="ExitCode"/> follows the shell's 126/127.</summary>
internal sealed class CommandNotStartedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
