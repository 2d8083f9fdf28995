using System.Runtime.InteropServices;
using System.Text;
using Steer.Linux.Native;

namespace Steer.Linux.Processes;

/// <summary>
/// A child started with posix_spawnp(3) and reaped by a thread of its own.
/// <para>
/// Why not <see cref="System.Diagnostics.Process"/>: starting one costs `steer run` some 15 ms of
/// type loading and JIT before CMD runs, and every script that calls `steer run` pays it. The
/// child gets default signal dispositions and an empty mask — .NET ignores SIGPIPE, and an
/// ignored signal would otherwise survive exec into CMD.
/// </para>
/// <para>
/// The exit is observed with waitid(WNOWAIT) first, so the zombie keeps its pid until
/// <see cref="Signal"/> can no longer aim at it: a relayed signal never reaches a recycled pid.
/// </para>
/// </summary>
public sealed unsafe class SpawnedProcess
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _exited;

    private SpawnedProcess(int pid) => Pid = pid;

    public int Pid { get; }

    /// <summary>CMD's exit code as a shell reports it: the status, or 128+N for signal N.</summary>
    public Task<int> Exited => _exit.Task;

    /// <summary>Starts <paramref name="command"/> (searched in PATH like a shell does) with this
    /// process's environment. Throws <see cref="SpawnException"/> when it cannot be executed.</summary>
    public static SpawnedProcess Start(IReadOnlyList<string> command) => Start(command, null);

    /// <summary>As <see cref="Start(IReadOnlyList{string})"/>, with the child's stdout and stderr
    /// going to <paramref name="output"/> when it is given (see <see cref="CapturedOutput"/>).</summary>
    public static SpawnedProcess Start(IReadOnlyList<string> command, CapturedOutput? output) =>
        Start(command, output?.Fd, newSession: false);

    /// <summary>Starts a daemon: in a session of its own (no terminal, no signals from the
    /// caller's), stdin from /dev/null, stdout and stderr appended to <paramref name="logPath"/>.</summary>
    public static SpawnedProcess StartDetached(IReadOnlyList<string> command, string logPath)
    {
        int log = LinuxException.ThrowIfNegative(Libc.open(logPath, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0b110_000_000), $"open {logPath}");
        try
        {
            return Start(command, log, newSession: true);
        }
        finally
        {
            Libc.close(log);
        }
    }

    private static SpawnedProcess Start(IReadOnlyList<string> command, int? outputFd, bool newSession)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        int pid = SpawnNative(command, outputFd, newSession);
        var process = new SpawnedProcess(pid);
        var reaper = new Thread(process.Reap) { IsBackground = true, Name = $"reap {pid}" };
        reaper.Start();
        return process;
    }

    /// <summary>Sends signal <paramref name="number"/> unless the child has already exited.</summary>
    public void Signal(int number)
    {
        lock (_gate)
        {
            if (!_exited)
                _ = Libc.kill(Pid, number);
        }
    }

    private static int SpawnNative(IReadOnlyList<string> command, int? outputFd, bool newSession)
    {
        // One block holds argv's strings, NUL-terminated; argv points into it.
        var strings = new byte[command.Sum(a => Encoding.UTF8.GetByteCount(a) + 1)];
        var offsets = new int[command.Count];
        int at = 0;
        for (int i = 0; i < command.Count; i++)
        {
            if (command[i].Contains('\0', StringComparison.Ordinal))
                throw new SpawnException($"{command[0]}: argument {i} contains a NUL byte", Errno.EINVAL);
            offsets[i] = at;
            at += Encoding.UTF8.GetBytes(command[i], strings.AsSpan(at)) + 1;
        }

        byte* attr = stackalloc byte[SpawnImports.AttrSize];
        byte* actions = stackalloc byte[SpawnImports.FileActionsSize];
        byte* defaults = stackalloc byte[SpawnImports.SigsetSize];
        byte* mask = stackalloc byte[SpawnImports.SigsetSize];
        var argv = new nint[command.Count + 1];
        fixed (byte* text = strings)
        fixed (nint* argvPointers = argv)
        {
            for (int i = 0; i < command.Count; i++)
                argv[i] = (nint)(text + offsets[i]);
            _ = SpawnImports.sigfillset(defaults);
            _ = SpawnImports.sigemptyset(mask);
            _ = SpawnImports.posix_spawnattr_init(attr);
            _ = SpawnImports.posix_spawn_file_actions_init(actions);
            try
            {
                if (outputFd is int fd)
                {
                    _ = SpawnImports.posix_spawn_file_actions_adddup2(actions, fd, 1);
                    _ = SpawnImports.posix_spawn_file_actions_adddup2(actions, fd, 2);
                }
                if (newSession)
                    _ = SpawnImports.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", Libc.O_RDONLY, 0);
                _ = SpawnImports.posix_spawnattr_setsigdefault(attr, defaults);
                _ = SpawnImports.posix_spawnattr_setsigmask(attr, mask);
                _ = SpawnImports.posix_spawnattr_setflags(attr, (short)(SpawnImports.POSIX_SPAWN_SETSIGDEF | SpawnImports.POSIX_SPAWN_SETSIGMASK
                    | (newSession ? SpawnImports.POSIX_SPAWN_SETSID : 0)));
                int pid;
                int error = SpawnImports.posix_spawnp(&pid, text, actions, attr, (byte**)argvPointers, Environ());
                if (error != 0)
                    throw new SpawnException($"{command[0]}: {Errno.Describe(error)}", error);
                return pid;
            }
            finally
            {
                _ = SpawnImports.posix_spawn_file_actions_destroy(actions);
                _ = SpawnImports.posix_spawnattr_destroy(attr);
            }
        }
    }

    private static byte** Environ() =>
        *(byte***)NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "environ");

    private void Reap()
    {
        byte* info = stackalloc byte[SpawnImports.SiginfoSize];
        int code;
        while (true)
        {
            new Span<byte>(info, SpawnImports.SiginfoSize).Clear();
            if (SpawnImports.waitid(SpawnImports.P_PID, Pid, info, SpawnImports.WEXITED | SpawnImports.WNOWAIT) == 0)
            {
                int status = *(int*)(info + SpawnImports.SiStatusOffset);
                code = *(int*)(info + SpawnImports.SiCodeOffset) == SpawnImports.CLD_EXITED ? status : 128 + status;
                break;
            }
            if (Errno.Last != Errno.EINTR)
            {
                _exit.SetException(new LinuxException($"waitid({Pid})", Errno.Last));
                return;
            }
        }
        lock (_gate)
        {
            _exited = true;
            _ = SpawnImports.waitpid(Pid, null, 0);
        }
        _exit.SetResult(code);
    }
}

/// <summary>The command could not be executed; <see cref="Errno"/> says why (ENOENT, EACCES…).</summary>
public sealed class SpawnException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;
}
