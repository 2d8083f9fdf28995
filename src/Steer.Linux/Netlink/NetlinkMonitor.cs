using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
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
/// <c>ip monitor link address route rule</c> for one namespace: typed events read with
/// <see cref="ReadEventsAsync"/>. To know the current state without a gap, open the monitor
/// first, then list with a <see cref="NetlinkHandle"/>, then apply events. Disposing ends a
/// running enumeration cleanly. One reader at a time.
/// </summary>
public sealed class NetlinkMonitor : IDisposable
{
    private readonly NetlinkSocket _socket;
    // Cancelled, never disposed: an enumeration that starts after Dispose must still see it.
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

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
    /// Events as they arrive. Ends when the monitor is disposed; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellation"/> fires.
    /// While idle it holds no receive buffer.
    /// </summary>
    public async IAsyncEnumerable<NetlinkEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stopping.Token);
        var batch = new List<NetlinkEvent>();
        while (await ReceiveBatchAsync(batch, linked.Token))
        {
            foreach (var item in batch)
                yield return item;
            batch.Clear();
        }
    }

    /// <summary>Stops a running enumeration and closes the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stopping.Cancel();
        _socket.Dispose();
    }

    /// <summary>Waits for one datagram and decodes it into <paramref name="batch"/>; false once disposed.</summary>
    private async ValueTask<bool> ReceiveBatchAsync(List<NetlinkEvent> batch, CancellationToken cancellation)
    {
        try
        {
            int size = await _socket.WaitForDatagramAsync(cancellation);
            Decode(size, batch);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
        {
            batch.Add(new EventsLost());
            return true;
        }
        catch (Exception e) when (IsStopping(e))
        {
            return false;
        }
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

    private bool IsStopping(Exception e) =>
        _stopping.IsCancellationRequested
        && e is OperationCanceledException or ObjectDisposedException
            or SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted };
}
