namespace Steer.Lab;

/// <summary>
/// What a lab is made of, declared before anything exists: hosts (network namespaces) and the
/// veth links between them. Each host declares its own addresses, routes, rules and sysctls.
/// <see cref="Lab.BuildAsync"/> turns it into namespaces.
/// </summary>
public sealed class Topology
{
    private readonly string _runId;
    private readonly Dictionary<string, LabHost> _hosts = new();
    private readonly List<(LinkEnd A, LinkEnd B)> _links = [];

    internal Topology(string runId) => _runId = runId;

    internal string RunId => _runId;

    internal IReadOnlyCollection<LabHost> Hosts => _hosts.Values;
    internal IReadOnlyList<(LinkEnd A, LinkEnd B)> Links => _links;

    /// <summary>A host: a network namespace named <c>stl-PID-N-NAME</c>, with lo up.</summary>
    public LabHost Host(string name)
    {
        LabNames.ValidateHost(name);
        if (_hosts.ContainsKey(name))
            throw new ArgumentException($"host '{name}' is declared twice", nameof(name));
        var host = new LabHost(name, $"{_runId}-{name}");
        _hosts.Add(name, host);
        return host;
    }

    /// <summary>A host that forwards IPv4 and IPv6 between its interfaces.</summary>
    public LabHost Router(string name) => Host(name).Forwarding();

    /// <summary>A veth pair: <paramref name="a"/>'s interface in its host, <paramref name="b"/>'s in
    /// its host. Build the ends with <see cref="LabHost.End"/>.</summary>
    public void Link(LinkEnd a, LinkEnd b)
    {
        if (a.Host == b.Host && a.Interface == b.Interface)
            throw new ArgumentException($"link {a.Interface} joins an interface to itself");
        _links.Add((a, b));
    }

    /// <summary>Shorthand: a link with one IPv4 and optionally one IPv6 address at each end.</summary>
    public void Link(LabHost a, string aInterface, LabHost b, string bInterface,
                     string aIPv4, string bIPv4, string? aIPv6 = null, string? bIPv6 = null) =>
        Link(a.End(aInterface, [aIPv4, .. Optional(aIPv6)]), b.End(bInterface, [bIPv4, .. Optional(bIPv6)]));

    private static string[] Optional(string? address) => address is null ? [] : [address];
}

/// <summary>One end of a veth link: the host, the interface name inside it, and its addresses
/// (CIDR, IPv4 or IPv6; IPv6 ones are added with <c>nodad</c> so they are usable at once).</summary>
public sealed record LinkEnd(LabHost Host, string Interface, IReadOnlyList<string> Addresses);
