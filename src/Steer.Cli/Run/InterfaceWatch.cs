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
    private readonly Thread thread;

    private InterfaceWatch(NetlinkMonitor monitor, Thread thread)
    {
        this.monitor = monitor;
        this.thread = thread;
    }

    /// <summary>Watches on a thread of its own: a blocking read costs `steer run` no async
    /// machinery to start, and the watch lives exactly as long as CMD.</summary>
    public static InterfaceWatch Start(string name, int index, RunBinding binding, TextWriter log)
    {
        var monitor = NetlinkMonitor.Open(NetlinkGroups.Links);
        // The interface may have changed between the check and now (a VPN reconnecting while
        // steer started): read it again now that the monitor is open, so nothing falls between.
        using (var netlink = NetlinkHandle.Open())
        {
            var now = netlink.GetLink(name);
            if (now is null)
            {
                binding.RefuseAll(index);
                log.WriteLine($"steer: {name} was deleted; new connections of the program are refused (fail closed)");
            }
            else if (now.Index != index)
            {
                index = now.Index;
                binding.Rebind(index);
                log.WriteLine($"steer: {name} is back (index {index}); the program uses it again");
            }
        }
        var thread = new Thread(() => Follow(monitor, name, index, binding, log)) { IsBackground = true, Name = "watch " + name };
        thread.Start();
        return new InterfaceWatch(monitor, thread);
    }

    private static void Follow(NetlinkMonitor monitor, string name, int index, RunBinding binding, TextWriter log)
    {
        int current = index;
        bool wasUp = true;
        var events = new List<NetlinkEvent>();
        while (monitor.ReadEvents(events))
        {
            foreach (var change in events)
            {
                if (change is not LinkEvent { Link: var link } linkEvent)
                    continue;
                if (linkEvent.Change == LinkChange.Deleted && link.Index == current)
                {
                    binding.RefuseAll(current);
                    log.WriteLine($"steer: {name} was deleted; new connections of the program are refused (fail closed)");
                }
                else if (linkEvent.Change == LinkChange.Added && link.Name == name && link.Index != current)
                {
                    current = link.Index;
                    binding.Rebind(current);
                    log.WriteLine($"steer: {name} is back (index {current}); the program uses it again");
                }
                else if (linkEvent.Change == LinkChange.Changed && link.Index == current && link.IsUp != wasUp)
                {
                    wasUp = link.IsUp;
                    log.WriteLine(wasUp ? $"steer: {name} is up again" : $"steer: {name} went down; connections fail until it is up (fail closed)");
                }
            }
            events.Clear();
        }
    }

    public void Dispose()
    {
        monitor.Dispose(); // wakes the thread, which then ends
        thread.Join(TimeSpan.FromSeconds(1));
    }
}
