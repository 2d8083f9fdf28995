using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>A pipe for splice(2): bytes move socket → pipe → socket inside the kernel.</summary>
internal struct SplicePipe
{
    public int Read;
    public int Write;

    public readonly bool IsOpen => Read > 0;
}

/// <summary>
/// Empty pipes of one loop. A flow takes a pipe only while bytes are in flight and gives it back when
/// it runs dry, so idle flows hold no pipe (two fds fewer each) and busy ones reuse warm pipes.
/// </summary>
internal sealed unsafe class PipePool : IDisposable
{
    /// <summary>Pipe capacity: large enough that one splice moves a full TSO burst.</summary>
    public const int PipeSize = 1 << 20;
    private const int MaxPooled = 128;

    private readonly Stack<SplicePipe> _free = new();
    private static int s_pipeSize = PipeSize;

    public bool TryRent(out SplicePipe pipe)
    {
        if (_free.TryPop(out pipe))
            return true;
        var fds = stackalloc int[2];
        if (Sys.pipe2(fds, Sys.O_NONBLOCK | Sys.O_CLOEXEC) < 0)
        {
            pipe = default;
            return false;
        }
        // Unprivileged limits (pipe-max-size) may refuse a big pipe: fall back once to the default.
        if (s_pipeSize > 65536 && Sys.fcntl(fds[1], Sys.F_SETPIPE_SZ, s_pipeSize) < 0)
            s_pipeSize = 65536;
        pipe = new SplicePipe { Read = fds[0], Write = fds[1] };
        return true;
    }

    /// <summary>Takes back an empty pipe; a pipe with bytes left in it is closed instead.</summary>
    public void Return(ref SplicePipe pipe, bool empty)
    {
        if (!pipe.IsOpen)
            return;
        if (empty && _free.Count < MaxPooled)
            _free.Push(pipe);
        else
        {
            Sys.close(pipe.Read);
            Sys.close(pipe.Write);
        }
        pipe = default;
    }

    public static int Capacity => s_pipeSize;

    public void Dispose()
    {
        while (_free.TryPop(out var pipe))
        {
            Sys.close(pipe.Read);
            Sys.close(pipe.Write);
        }
    }
}
