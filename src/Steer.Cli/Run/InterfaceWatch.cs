using Steer.Linux.Netlink;
using Steer.Linux.SocketPlane;

namespace Steer.Cli.Run;

/// <summary>
/// Follows IFACE while CMD runs: if it is deleted, every new socket and connection of the run is
/// refused with EPERM (sockets already bound to the vanished index fail with ENODEV anyway); if an
/// interface of the same name appears again (a VPN reconnecting), the run binds to it. Going down
/// needs no action — the kernel refuses to route bound sockets through a down link — but is said.
/// </summary>
internal sealed class InterfaceWatch : IDisposable
{
    private readonly NetlinkMonitor monitor;
    private readonly Task loop;

    private InterfaceWatch(NetlinkMonitor monitor, Task loop)
    {
        this.monitor = monitor;
        this.loop = loop;
    }

    public static InterfaceWatch Start(string name, int index, RunBinding binding, TextWriter log)
    {
        var monitor = NetlinkMonitor.Open(NetlinkGroups.Links);
        var loop = Task.Run(async () =>
        {
            int current = index;
            bool wasUp = true;
            await foreach (var change in monitor.ReadEventsAsync().ConfigureAwait(false))
            {
                if (change is not LinkEvent { Link: var link } linkEvent)
                    continue;
                if (linkEvent.Change == LinkChange.Deleted && link.Index == current)
                {
                    binding.RefuseAll(current);
                    await log.WriteLineAsync($"steer: {name} was deleted; new connections of the program are refused (fail closed)").ConfigureAwait(false);
                }
                else if (linkEvent.Change == LinkChange.Added && link.Name == name && link.Index != current)
                {
                    current = link.Index;
                    binding.Rebind(current);
                    await log.WriteLineAsync($"steer: {name} is back (index {current}); the program uses it again").ConfigureAwait(false);
                }
                else if (linkEvent.Change == LinkChange.Changed && link.Index == current && link.IsUp != wasUp)
                {
                    wasUp = link.IsUp;
                    await log.WriteLineAsync(wasUp ? $"steer: {name} is up again" : $"steer: {name} went down; connections fail until it is up (fail closed)").ConfigureAwait(false);
                }
            }
        });
        return new InterfaceWatch(monitor, loop);
    }

    public void Dispose()
    {
        monitor.Dispose(); // ends ReadEventsAsync cleanly
        try { loop.Wait(TimeSpan.FromSeconds(1)); }
        catch (AggregateException) { /* the watch is best effort once CMD has ended */ }
    }
}
