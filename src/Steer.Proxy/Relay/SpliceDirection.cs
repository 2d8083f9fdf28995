using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>
/// One direction of a TCP relay: source socket → pipe → sink socket with splice(2), so bytes never
/// enter user space. Half-close is passed on: the source's EOF becomes shutdown(SHUT_WR) of the
/// sink once the pipe is empty.
/// </summary>
internal struct SpliceDirection
{
    public SplicePipe Pipe;
    public int Pending;
    public bool SourceEof;
    public bool SinkShut;
    public long Bytes;

    public readonly bool Done => SourceEof && Pending == 0 && SinkShut;

    /// <summary>Moves what can move now; returns 0, or a negative errno when the flow must be reset.</summary>
    public int Pump(int source, int sink, PipePool pipes)
    {
        while (true)
        {
            if (Pending > 0)
            {
                var n = Splice(Pipe.Read, sink, (nuint)Pending);
                if (n > 0)
                {
                    Pending -= (int)n;
                    Bytes += n;
                    continue;
                }
                var errno = Sys.Errno;
                return errno == Sys.EAGAIN ? 0 : -errno; // sink full: its EPOLLOUT resumes us
            }
            if (SourceEof)
            {
                pipes.Return(ref Pipe, empty: true);
                if (!SinkShut)
                {
                    Sys.shutdown(sink, Sys.SHUT_WR);
                    SinkShut = true;
                }
                return 0;
            }
            if (!Pipe.IsOpen && !pipes.TryRent(out Pipe))
                return -24; // EMFILE: no pipe to be had
            var read = Splice(source, Pipe.Write, (nuint)PipePool.Capacity);
            if (read > 0)
            {
                Pending = (int)read;
                continue;
            }
            if (read == 0)
            {
                SourceEof = true;
                continue;
            }
            var readErrno = Sys.Errno;
            if (readErrno == Sys.EAGAIN)
            {
                // Dry: give the empty pipe back, so an idle flow holds none.
                pipes.Return(ref Pipe, empty: true);
                return 0;
            }
            return -readErrno;
        }
    }

    private static unsafe nint Splice(int from, int to, nuint length) =>
        Sys.splice(from, null, to, null, length, Sys.SPLICE_F_MOVE | Sys.SPLICE_F_NONBLOCK);
}
