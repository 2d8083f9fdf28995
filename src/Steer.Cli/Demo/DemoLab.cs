using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Linux.Sysctls;

namespace Steer.Cli.Demo;

/// <summary>
/// The demo's throw-away network, built over netlink: a host namespace with two uplinks (veth
/// up1 and up2) to a server namespace that holds the service addresses on its loopback.
/// The host's main table sends everything through up1; up2 has only a backup default route
/// (higher metric), the usual shape of a second uplink. Removed in full on Dispose.
/// </summary>
internal sealed class DemoLab : IDisposable
{
    public static readonly IPAddress Service4 = IPAddress.Parse("10.9.0.1"), Service6 = IPAddress.Parse("fd00:9::1");

    /// <summary>Each uplink's own address on the host side, and the server's end (its gateway).</summary>
    public static readonly (string Name, string Peer, IPAddress Host4, IPAddress Gateway4, IPAddress Host6, IPAddress Gateway6)[] Uplinks =
    [
        ("up1", "s1", IPAddress.Parse("10.1.0.2"), IPAddress.Parse("10.1.0.1"), IPAddress.Parse("fd00:1::2"), IPAddress.Parse("fd00:1::1")),
        ("up2", "s2", IPAddress.Parse("10.2.0.2"), IPAddress.Parse("10.2.0.1"), IPAddress.Parse("fd00:2::2"), IPAddress.Parse("fd00:2::1")),
    ];

    private readonly List<string> _namespaces = [];

    private DemoLab(string id)
    {
        HostName = id + "-host";
        ServerName = id + "-server";
    }

    public string HostName { get; }

    public string ServerName { get; }

    public string HostPath => NetNamespace.PathOf(HostName);

    public string ServerPath => NetNamespace.PathOf(ServerName);

    public static DemoLab Create()
    {
        RemoveLabsOfDeadDemos();
        var lab = new DemoLab($"steer-demo-{Environment.ProcessId}");
        try
        {
            lab.Build();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>A demo killed outright (SIGKILL) cannot remove its lab; the next demo does:
    /// namespaces named steer-demo-PID-… whose PID is gone. Another demo still running keeps its own.</summary>
    private static void RemoveLabsOfDeadDemos()
    {
        foreach (var name in NetNamespace.OrphansOf("steer-demo-"))
        {
            try { NetNamespace.Delete(name); }
            catch (Steer.Linux.Native.LinuxException) { } // another demo removed it first
        }
    }

    /// <summary>The uplink an address the server saw belongs to.</summary>
    public static string? UplinkOf(IPAddress seen) =>
        Uplinks.FirstOrDefault(u => u.Host4.Equals(seen) || u.Host6.Equals(seen)).Name;

    private void Build()
    {
        foreach (var name in new[] { HostName, ServerName })
        {
            NetNamespace.Create(name);
            _namespaces.Add(name);
        }
        using var host = NetlinkHandle.OpenAt(HostPath);
        using var server = NetlinkHandle.OpenAt(ServerPath);
        using (var serverNamespace = NetNamespace.Open(ServerPath))
        {
            foreach (var uplink in Uplinks)
                host.CreateVethPair(uplink.Name, uplink.Peer, serverNamespace);
        }
        // No duplicate address detection: nothing to detect here, and it would hold IPv6 back.
        NetNamespace.Run(HostPath, () => NoDad(Uplinks.Select(u => u.Name)));
        NetNamespace.Run(ServerPath, () => NoDad(Uplinks.Select(u => u.Peer)));

        foreach (var uplink in Uplinks)
        {
            host.AddAddress(uplink.Name, uplink.Host4, 24);
            host.AddAddress(uplink.Name, uplink.Host6, 64, AddressFlags.NoDad);
            server.AddAddress(uplink.Peer, uplink.Gateway4, 24);
            server.AddAddress(uplink.Peer, uplink.Gateway6, 64, AddressFlags.NoDad);
        }
        server.AddAddress("lo", Service4, 32);
        server.AddAddress("lo", Service6, 128);
        foreach (var (handle, links) in new[] { (host, Uplinks.Select(u => u.Name)), (server, Uplinks.Select(u => u.Peer)) })
        {
            handle.SetLinkUp("lo");
            foreach (var link in links)
                handle.SetLinkUp(link);
        }
        uint metric = 100;
        foreach (var uplink in Uplinks)
        {
            int index = host.GetLink(uplink.Name)!.Index;
            host.AddRoute(DefaultVia(AddressFamily.InterNetwork, uplink.Gateway4, index, metric));
            host.AddRoute(DefaultVia(AddressFamily.InterNetworkV6, uplink.Gateway6, index, metric));
            metric += 100;
        }
        WaitUntilIPv6IsReady(host, Uplinks.Select(u => u.Name));
        WaitUntilIPv6IsReady(server, Uplinks.Select(u => u.Peer));
    }

    private static Route DefaultVia(AddressFamily family, IPAddress gateway, int index, uint metric) => new()
    {
        Destination = Route.DefaultDestination(family),
        Gateway = gateway,
        OutputInterface = index,
        Metric = metric,
    };

    private static int NoDad(IEnumerable<string> links)
    {
        foreach (var link in links)
            Sysctl.Write($"net.ipv6.conf.{link}.accept_dad", "0");
        return 0;
    }

    /// <summary>A link's IPv6 set-up ends in a kernel worker after carrier; until then a first
    /// packet waits a second for neighbour discovery to retry.</summary>
    private static void WaitUntilIPv6IsReady(NetlinkHandle netlink, IEnumerable<string> links)
    {
        var indexes = links.Select(l => netlink.GetLink(l)!.Index).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var addresses = netlink.ListAddresses();
            if (!addresses.Any(a => a.IsTentative)
                && indexes.All(i => addresses.Any(a => a.InterfaceIndex == i && a.Address.IsIPv6LinkLocal)))
                return;
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        // Deleting a namespace deletes its veth ends, and with them their peers.
        foreach (var name in _namespaces)
        {
            try { NetNamespace.Delete(name); }
            catch (LinuxException e) { Console.Error.WriteLine($"steer demo: {e.Message}"); }
        }
        _namespaces.Clear();
    }
}
