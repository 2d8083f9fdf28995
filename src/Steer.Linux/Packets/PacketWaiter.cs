using Steer.Linux.Native;

namespace Steer.Linux.Packets;

/// <summary>What <see cref="PacketWaiter.Wait"/> saw.</summary>
public enum PacketWait
{
    /// <summary>Some socket has a packet queued (or an error to report): read them all.</summary>
    Ready,
    TimedOut,
    /// <summary><see cref="PacketWaiter.Stop"/> was called; every later wait says so too.</summary>
    Stopped,
}

/// <summary>
/// Blocks one reader thread until one of its packet sockets has something, a timeout passes, or
/// another thread calls <see cref="Stop"/> (an eventfd in the same poll). Dispose it only after
/// the reader has stopped waiting.
/// </summary>
public sealed unsafe class PacketWaiter : IDisposable
{
    private int _stopFd;

    public PacketWaiter() =>
        _stopFd = LinuxException.ThrowIfNegative(Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), "eventfd");

    /// <param name="timeoutMilliseconds">-1 waits without limit.</param>
    public PacketWait Wait(IReadOnlyList<PacketSocket> sockets, int timeoutMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        ObjectDisposedException.ThrowIf(_stopFd < 0, this);
        int count = sockets.Count + 1;
        var fds = count <= 64 ? stackalloc Libc.PollFd[count] : new Libc.PollFd[count];
        int acquired = 0;
        try
        {
            for (; acquired < sockets.Count; acquired++)
                fds[acquired] = new Libc.PollFd { Fd = sockets[acquired].Acquire(), Events = Libc.POLLIN };
            fds[sockets.Count] = new Libc.PollFd { Fd = _stopFd, Events = Libc.POLLIN };
            int ready;
            fixed (Libc.PollFd* poll = fds)
            {
                do
                    ready = Libc.poll(poll, (nuint)count, timeoutMilliseconds);
                while (ready < 0 && Errno.Last == Errno.EINTR);
            }
            if (ready < 0)
                throw new LinuxException("poll(AF_PACKET)", Errno.Last);
            return fds[sockets.Count].Revents != 0 ? PacketWait.Stopped
                : ready == 0 ? PacketWait.TimedOut
                : PacketWait.Ready;
        }
        finally
        {
            for (int i = 0; i < acquired; i++)
                sockets[i].Release();
        }
    }

    /// <summary>Wakes a running <see cref="Wait"/> and makes every later one return at once.</summary>
    public void Stop()
    {
        ulong one = 1;
        if (_stopFd >= 0)
            _ = Libc.write(_stopFd, &one, sizeof(ulong));
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _stopFd, -1);
        if (fd >= 0)
            _ = Libc.close(fd);
    }
}
