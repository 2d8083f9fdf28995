using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

/// <summary>Which notifications a <see cref="NetlinkMonitor"/> receives.</summary>
[Flags]
public enum NetlinkGroups
{
    /// <summary>RTNLGRP_LINK: links added, changed, deleted.</summary>
    Links = 1,
    /// <summary>RTNLGRP_IPV4_IFADDR.</summary>
    IPv4Addresses = 2,
    /// <summary>RTNLGRP_IPV6_IFADDR.</summary>
    IPv6Addresses = 4,
    Addresses = IPv4Addresses | IPv6Addresses,
    /// <summary>RTNLGRP_IPV4_ROUTE.</summary>
    IPv4Routes = 8,
    /// <summary>RTNLGRP_IPV6_ROUTE.</summary>
    IPv6Routes = 16,
    Routes = IPv4Routes | IPv6Routes,
    /// <summary>RTNLGRP_IPV4_RULE.</summary>
    IPv4Rules = 32,
    /// <summary>RTNLGRP_IPV6_RULE.</summary>
    IPv6Rules = 64,
    Rules = IPv4Rules | IPv6Rules,
    All = Links | Addresses | Routes | Rules,
}

/// <summary>
/// <c>ip monitor link address route rule</c> for one namespace: typed events, read either
/// blocking with <see cref="ReadEvents"/> on a thread of the caller's, or with
/// <see cref="ReadEventsAsync"/>. To know the current state without a gap, open the monitor
/// first, then list with a <see cref="NetlinkHandle"/>, then apply events. Disposing ends a
/// running read cleanly. One reader at a time.
/// </summary>
public sealed class NetlinkMonitor : IDisposable
{
    private readonly NetlinkSocket _socket;
    // Written once on Dispose: wakes a reader blocked in poll without closing its socket under it.
    private readonly int _stopFd;
    private readonly Lock _gate = new();
    private Channel<NetlinkEvent>? _asyncEvents;
    private int _disposed;
    private int _activeReads;

    private static readonly (NetlinkGroups Flag, uint Group)[] Memberships =
    [
        (NetlinkGroups.Links, Rt.RTNLGRP_LINK),
        (NetlinkGroups.IPv4Addresses, Rt.RTNLGRP_IPV4_IFADDR),
        (NetlinkGroups.IPv6Addresses, Rt.RTNLGRP_IPV6_IFADDR),
        (NetlinkGroups.IPv4Routes, Rt.RTNLGRP_IPV4_ROUTE),
        (NetlinkGroups.IPv6Routes, Rt.RTNLGRP_IPV6_ROUTE),
        (NetlinkGroups.IPv4Rules, Rt.RTNLGRP_IPV4_RULE),
        (NetlinkGroups.IPv6Rules, Rt.RTNLGRP_IPV6_RULE),
    ];

    private NetlinkMonitor(NetlinkSocket socket, NetlinkGroups groups)
    {
        _socket = socket;
        try
        {
            foreach (var (flag, group) in Memberships)
                if ((groups & flag) != 0)
                    socket.JoinGroup(group);
            _stopFd = LinuxException.ThrowIfNegative(Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), "eventfd");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Monitors the calling thread's network namespace.</summary>
    public static NetlinkMonitor Open(NetlinkGroups groups = NetlinkGroups.All) => new(NetlinkSocket.Open(), groups);

    /// <summary>Monitors the namespace at <paramref name="netnsPath"/> (<c>/run/netns/NAME</c>).</summary>
    public static NetlinkMonitor OpenAt(string netnsPath, NetlinkGroups groups = NetlinkGroups.All) =>
        new(NetNamespace.Run(netnsPath, NetlinkSocket.Open), groups);

    /// <summary>
    /// Blocks until the next notification arrives and appends its events to
    /// <paramref name="into"/> (an <see cref="EventsLost"/> when the kernel dropped some);
    /// returns false once the monitor is disposed. Holds no receive buffer while idle.
    /// </summary>
    public bool ReadEvents(List<NetlinkEvent> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_gate)
        {
            if (_disposed != 0)
                return false;
            _activeReads++;
        }
        try
        {
            int size = _socket.WaitForDatagram(_stopFd);
            if (size < 0)
                return false;
            Decode(size, into);
            return true;
        }
        catch (NetlinkOverrunException)
        {
            into.Add(new EventsLost());
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                if (--_activeReads == 0 && _disposed != 0)
                    _ = Libc.close(_stopFd);
            }
        }
    }

    /// <summary>
    /// Events as they arrive, read by a thread of the monitor's own. Ends when the monitor is
    /// disposed; throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellation"/> fires.
    /// </summary>
    public async IAsyncEnumerable<NetlinkEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var events = StartReaderThread();
        while (await events.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
        {
            while (events.Reader.TryRead(out var item))
                yield return item;
        }
    }

    /// <summary>Stops a running read and closes the socket.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed != 0)
                return;
            _disposed = 1;
            // A running read is woken by the eventfd and closes it on its way out.
            ulong one = 1;
            unsafe
            {
                _ = Libc.write(_stopFd, &one, sizeof(ulong));
            }
            if (_activeReads == 0)
                _ = Libc.close(_stopFd);
        }
        _socket.Dispose(); // the fd really closes when a running read lets go of it
        _asyncEvents?.Writer.TryComplete();
    }

    private Channel<NetlinkEvent> StartReaderThread()
    {
        var events = Channel.CreateUnbounded<NetlinkEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        if (Interlocked.CompareExchange(ref _asyncEvents, events, null) is not null)
            throw new InvalidOperationException("a NetlinkMonitor has one reader at a time");
        if (Volatile.Read(ref _disposed) != 0) // Dispose came first and completed nothing
            events.Writer.TryComplete();
        var thread = new Thread(() =>
        {
            var batch = new List<NetlinkEvent>();
            try
            {
                while (ReadEvents(batch))
                {
                    foreach (var item in batch)
                        events.Writer.TryWrite(item);
                    batch.Clear();
                }
                events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                events.Writer.TryComplete(e);
            }
        })
        { IsBackground = true, Name = "netlink monitor" };
        thread.Start();
        return events;
    }

    /// <summary>Receives and decodes one datagram in memory rented for just that: idle monitors
    /// hold no buffer, and Dispose on another thread never frees memory still being read.</summary>
    private void Decode(int size, List<NetlinkEvent> batch)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int received = _socket.ReceiveInto(buffer);
            NetlinkEventDecoder.Decode(buffer.AsSpan(0, received), batch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
