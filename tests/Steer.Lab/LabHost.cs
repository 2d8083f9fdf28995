using Steer.Linux.Native;

namespace Steer.Lab;

/// <summary>
/// One host of a lab: a network namespace. Before the lab is built the methods here declare its
/// setup; afterwards <see cref="Route"/>, <see cref="Rule"/>, <see cref="Sysctl"/> and
/// <see cref="Loopback"/> apply at once, and the helpers in <c>LabHost.Helpers.cs</c> run things inside.
/// </summary>
public sealed partial class LabHost
{
    private readonly List<string> _loopback = [];
    private readonly List<(string Interface, string Cidr)> _addresses = [];
    private readonly List<string> _interfaces = [];
    private readonly List<string> _routes = [];
    private readonly List<string> _rules = [];
    // rp_filter: new namespaces inherit the machine's IPv4 defaults (devconf_inherit_init_net=0),
    // so pin it to loose: replies on the "other" uplink must not depend on the machine running the tests.
    private readonly List<(string Key, string Value)> _sysctls = [("net.ipv4.conf.all.rp_filter", "2")];
    private readonly List<TunDevice> _tuns = [];
    private volatile bool _built;

    internal LabHost(string name, string ns)
    {
        Name = name;
        Namespace = ns;
    }

    /// <summary>The short name given in the topology ("host", "server").</summary>
    public string Name { get; }

    /// <summary>The namespace name, unique per run: <c>stl-PID-N-NAME</c>.</summary>
    public string Namespace { get; }

    /// <summary><c>/run/netns/NAME</c>, for <see cref="NetNamespace.Run"/> and <c>setns</c>.</summary>
    public string NsPath => NetNamespace.PathOf(Namespace);

    /// <summary>Every address given to this host, as CIDR (links, loopback, TUNs).</summary>
    public IReadOnlyList<string> Addresses => [.. _addresses.Select(a => a.Cidr), .. _loopback];

    /// <summary>Declares one end of a veth link in this host; pass it to <see cref="Topology.Link(LinkEnd, LinkEnd)"/>.</summary>
    public LinkEnd End(string iface, params string[] addresses)
    {
        DeclareInterface(iface);
        foreach (var a in addresses)
            _addresses.Add((iface, a));
        return new LinkEnd(this, iface, addresses);
    }

    /// <summary>Addresses on lo (service addresses: <c>10.9.0.1/32</c>, <c>fd00:9::1/128</c>).</summary>
    public LabHost Loopback(params string[] addresses)
    {
        _loopback.AddRange(addresses);
        if (_built)
            Apply(IpBatch.RunAsync(Namespace, addresses.Select(a => AddressLine("lo", a)).ToList()));
        return this;
    }

    /// <summary>A route in <c>ip route add</c> syntax: <c>default via 10.1.0.1</c>,
    /// <c>10.9.0.0/24 via 10.2.0.1 table 102</c>. Without an address in it
    /// (<c>default dev tun0</c>) it is added for IPv4 and IPv6.</summary>
    public LabHost Route(string spec)
    {
        _routes.Add(spec);
        if (_built)
            Apply(RoutingAsync([spec], "route", []));
        return this;
    }

    /// <summary>A policy rule in <c>ip rule add</c> syntax: <c>oif up2 lookup 102</c>. Without an
    /// address in it, it is added for IPv4 and IPv6.</summary>
    public LabHost Rule(string spec)
    {
        _rules.Add(spec);
        if (_built)
            Apply(RoutingAsync([], "rule", [spec]));
        return this;
    }

    /// <summary>A sysctl of this namespace: <c>net.ipv4.ip_forward</c>, or a path below
    /// /proc/sys (<c>net/ipv4/conf/eth0.5/rp_filter</c>) when a name holds a dot.</summary>
    public LabHost Sysctl(string key, string value)
    {
        _sysctls.Add((key, value));
        if (_built)
            WriteSysctls([(key, value)]);
        return this;
    }

    /// <summary>Turns on IPv4 and IPv6 forwarding.</summary>
    public LabHost Forwarding() =>
        Sysctl("net.ipv4.ip_forward", "1").Sysctl("net.ipv6.conf.all.forwarding", "1");

    /// <summary>A TUN device held open by the test process, so it has carrier; the lab reads and
    /// counts every packet routed into it.</summary>
    public TunDevice Tun(string name, params string[] addresses)
    {
        if (_built)
            throw new InvalidOperationException("declare TUN devices in the topology, before the lab is built");
        DeclareInterface(name);
        foreach (var a in addresses)
            _addresses.Add((name, a));
        var tun = new TunDevice(name);
        _tuns.Add(tun);
        return tun;
    }

    public override string ToString() => $"{Name} ({Namespace})";

    private void DeclareInterface(string iface)
    {
        if (_built)
            throw new InvalidOperationException("interfaces are declared before the lab is built");
        LabNames.ValidateInterface(iface);
        if (iface == "lo" || _interfaces.Contains(iface))
            throw new ArgumentException($"interface '{iface}' is declared twice in host {Name}");
        _interfaces.Add(iface);
    }

    private static void Apply(Task task) => Task.Run(() => task).GetAwaiter().GetResult();

    private static string AddressLine(string iface, string cidr) =>
        Family.IsV6Address(cidr) ? $"addr add {cidr} dev {iface} nodad" : $"addr add {cidr} dev {iface}";
}
