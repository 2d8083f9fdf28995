using Steer.Linux.Native;
using Steer.Linux.Netlink;

namespace Steer.Lab;

/// <summary>The steps that turn a host's declarations into kernel state, called by <see cref="Lab"/>
/// in order: TUNs, then addresses and links up, then sysctls, then routes and rules (gateways must
/// be on a connected subnet by then).</summary>
public sealed partial class LabHost
{
    internal void OpenTuns()
    {
        foreach (var tun in _tuns)
            tun.Open(NsPath);
    }

    internal Task ConfigureInterfacesAsync()
    {
        // Link-local addresses appear when a link goes up and would spend a second or two in
        // duplicate address detection; neighbour discovery meanwhile is slow enough to make a
        // first IPv6 datagram miss a client's reply window. A lab has no duplicates to detect.
        WriteSysctls([.. _interfaces.Select(i => ($"net.ipv6.conf.{i}.accept_dad", "0"))]);
        var lines = new List<string> { "link set lo up" };
        lines.AddRange(_loopback.Select(a => AddressLine("lo", a)));
        foreach (var tun in _tuns)
            // No link-local address: no router solicitations or MLD reports in the TUN's packet counts.
            lines.Add($"link set {tun.Name} addrgenmode none");
        lines.AddRange(_addresses.Select(a => AddressLine(a.Interface, a.Cidr)));
        lines.AddRange(_interfaces.Select(i => $"link set {i} up"));
        return IpBatch.RunAsync(Namespace, lines);
    }

    internal void ApplySysctls() => WriteSysctls(_sysctls);

    internal Task ConfigureRoutingAsync() => RoutingAsync(_routes, "route", _rules);

    internal void MarkBuilt() => _built = true;

    /// <summary>
    /// Waits until IPv6 is ready on every veth: each has its link-local address and none of the
    /// host's addresses is tentative. The kernel finishes a link's IPv6 set-up in a worker after
    /// the link gains carrier (its peer is up); until then it answers no neighbour solicitation,
    /// and a test's first IPv6 packet waits a second for the retransmission.
    /// </summary>
    internal async Task WaitUntilAddressesUsableAsync()
    {
        var veths = _interfaces.Where(i => _tuns.All(t => t.Name != i)).ToList();
        using var netlink = NetlinkHandle.OpenAt(NsPath);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (NotReady(netlink, veths) is { } waitingFor)
        {
            if (DateTime.UtcNow > deadline)
                throw new LabException($"{Namespace}: IPv6 is not ready after 5 s ({waitingFor})");
            await Task.Delay(10);
        }
    }

    private static string? NotReady(NetlinkHandle netlink, List<string> veths)
    {
        var addresses = netlink.ListAddresses();
        if (addresses.FirstOrDefault(a => a.IsTentative) is { } tentative)
            return $"{tentative.Address} is tentative";
        foreach (var name in veths)
        {
            var link = netlink.GetLink(name);
            if (link is null || !addresses.Any(a => a.InterfaceIndex == link.Index && a.Address.IsIPv6LinkLocal))
                return $"{name} has no link-local address yet";
        }
        return null;
    }

    /// <summary>Routes then rules, in two batches: lines that name no address go to both, and the
    /// IPv6 batch needs <c>ip -6</c> for them (a batch line cannot carry options).</summary>
    private Task RoutingAsync(IReadOnlyList<string> routes, string routeVerb, IReadOnlyList<string> rules)
    {
        var v4 = new List<string>();
        var v6 = new List<string>();
        foreach (var (verb, spec) in routes.Select(r => (routeVerb, r)).Concat(rules.Select(r => ("rule", r))))
        {
            var (isV4, isV6) = Family.Of(spec);
            if (isV4 && isV6)
            {
                v4.Add($"{verb} add {spec}");
                v6.Add($"{verb} add {spec}");
            }
            else
            {
                // ip takes the family from the address in the line.
                v4.Add($"{verb} add {spec}");
            }
        }
        return Task.WhenAll(IpBatch.RunAsync(Namespace, v4), IpBatch.RunAsync(Namespace, v6, ipv6: true));
    }

    /// <summary>Written from a thread inside the namespace: /proc/sys/net shows the namespace of
    /// the thread that opens it, so no process is started for this.</summary>
    private void WriteSysctls(IReadOnlyList<(string Key, string Value)> sysctls)
    {
        if (sysctls.Count == 0)
            return;
        NetNamespace.Run(NsPath, () =>
        {
            foreach (var (key, value) in sysctls)
            {
                var path = "/proc/sys/" + (key.Contains('/') ? key : key.Replace('.', '/'));
                try
                {
                    File.WriteAllText(path, value);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new LabException($"sysctl {key}={value} in {Namespace}: {e.Message}", e);
                }
            }
            return 0;
        });
    }
}
