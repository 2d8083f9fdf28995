using Steer.Linux.Native;

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
