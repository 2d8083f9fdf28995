using System.Net.Sockets;
using System.Text;
using Steer.Linux.Bpf;
using Steer.Linux.Cgroups;
using Steer.Policy;

namespace Steer.Linux.SocketPlane;

/// <summary>
/// The programs of bpf/steer_run.bpf.c loaded for one binding and attached to one cgroup: every
/// IPv4/IPv6 socket of its processes leaves through one interface. Setup is all or nothing: a
/// failure detaches whatever was attached. With a pin directory the attachment outlives this
/// process (a killed <c>steer run</c> keeps its program tree enforced, failing closed) until
/// <see cref="Unpin"/> or <see cref="Dispose"/> removes it.
/// </summary>
public sealed class RunBinding : IDisposable
{
    private static readonly (string Program, string What)[] Programs =
    [
        ("steer_sock_create", "socket creation"),
        ("steer_connect4", "IPv4 connect"),
        ("steer_connect6", "IPv6 connect"),
        ("steer_sendmsg4", "IPv4 UDP sendmsg"),
        ("steer_sendmsg6", "IPv6 UDP sendmsg"),
        ("steer_recvmsg4", "IPv4 UDP recvmsg"),
        ("steer_recvmsg6", "IPv6 UDP recvmsg"),
        ("steer_setsockopt", "setsockopt"),
    ];

    private const string StateMap = "steer_run_state";
    private const string ExcludedMap = "steer_excluded", Excluded4Map = "steer_excluded4";

    private readonly BpfObject bpf;
    private readonly List<BpfLink> links;
    private readonly string? pinDirectory;

    public RunBindingOptions Options { get; }

    private RunBinding(BpfObject bpf, List<BpfLink> links, RunBindingOptions options, string? pinDirectory)
    {
        this.bpf = bpf;
        this.links = links;
        Options = options;
        this.pinDirectory = pinDirectory;
    }

    /// <summary>Loads the programs for <paramref name="options"/> and attaches them to
    /// <paramref name="cgroup"/>; with <paramref name="pinDirectory"/>, pins links and state there.</summary>
    public static RunBinding Attach(Cgroup cgroup, RunBindingOptions options, string? pinDirectory)
    {
        var bpf = BpfObject.OpenEmbedded("steer_run");
        var links = new List<BpfLink>();
        try
        {
            bpf.SetReadOnlySettings(ConfigFor(options));
            // A trie needs room for at least one entry, even when its family has no exclusion.
            int ipv4 = 0;
            foreach (var cidr in options.Excluded.AsSpan())
                ipv4 += cidr.IsIPv6 ? 0 : 1;
            bpf.SetMaxEntries(Excluded4Map, (uint)Math.Max(ipv4, 1));
            bpf.SetMaxEntries(ExcludedMap, (uint)Math.Max(options.Excluded.Count - ipv4, 1));
            bpf.Load();
            // The state is written before any program is attached: there is never a moment in
            // which the cgroup's sockets are seen by programs that do not know the interface.
            bpf.Map(StateMap).Update(0u, new SteerRunState { Ifindex = (uint)options.InterfaceIndex });
            FillExclusions(bpf.Map(Excluded4Map), bpf.Map(ExcludedMap), options.Excluded);

            if (pinDirectory is not null)
            {
                Directory.CreateDirectory(pinDirectory);
                bpf.Map(StateMap).Pin(Path.Combine(pinDirectory, "state"));
            }
            using (var cgroupFd = cgroup.OpenDirectory())
            {
                foreach (var (program, what) in Programs)
                {
                    var link = bpf.AttachCgroup(program, (int)cgroupFd.DangerousGetHandle(), $"{cgroup.Path} ({what})");
                    links.Add(link);
                    if (pinDirectory is not null)
                        link.Pin(Path.Combine(pinDirectory, program));
                }
            }
            return new RunBinding(bpf, links, options, pinDirectory);
        }
        catch
        {
            foreach (var link in links)
                link.Dispose();
            if (pinDirectory is not null)
                Unpin(pinDirectory);
            bpf.Dispose();
            throw;
        }
    }

    /// <summary>Points the binding at another index (the interface was re-created).</summary>
    public void Rebind(int interfaceIndex) =>
        bpf.Map(StateMap).Update(0u, new SteerRunState { Ifindex = (uint)interfaceIndex });

    /// <summary>Refuses every new socket and connection of the cgroup (the interface is gone).</summary>
    public void RefuseAll(int interfaceIndex) =>
        bpf.Map(StateMap).Update(0u, new SteerRunState { Ifindex = (uint)interfaceIndex, Flags = SteerRunState.RefuseAll });

    /// <summary>Removes a pin directory: pinned links detach once no process holds them.</summary>
    public static void Unpin(string pinDirectory)
    {
        if (!Directory.Exists(pinDirectory))
            return;
        foreach (var file in Directory.EnumerateFiles(pinDirectory))
            File.Delete(file);
        Directory.Delete(pinDirectory);
    }

    public void Dispose()
    {
        List<Exception> failures = [];
        foreach (var link in links)
        {
            try { link.Dispose(); }
            catch (Exception e) { failures.Add(e); }
        }
        links.Clear();
        if (pinDirectory is not null)
        {
            try { Unpin(pinDirectory); }
            catch (Exception e) { failures.Add(e); }
        }
        bpf.Dispose();
        if (failures.Count > 0)
            throw new AggregateException("detaching steer run programs", failures);
    }

    private static unsafe SteerRunConfig ConfigFor(RunBindingOptions options)
    {
        var config = new SteerRunConfig();
        var name = Encoding.ASCII.GetBytes(options.InterfaceName);
        if (name.Length > 15)
            throw new ArgumentException($"interface name {options.InterfaceName} is longer than 15 bytes");
        name.CopyTo(new Span<byte>(config.InterfaceName, 16));
        if (options.Dns is { } dns)
        {
            var resolver = new Cidr(dns.Address, dns.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            resolver.WriteKey(new Span<byte>(config.DnsAddress, 16));
            config.DnsPortNetworkOrder = (ushort)System.Net.IPAddress.HostToNetworkOrder((short)dns.Port);
            config.DnsEnabled = 1;
            config.DnsIsIPv4 = dns.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)0;
        }
        return config;
    }

    /// <summary>One trie per family (see steer_run.h): IPv4 keys are the 4 address bytes.</summary>
    private static unsafe void FillExclusions(BpfMap ipv4Map, BpfMap ipv6Map, CidrList excluded)
    {
        Span<byte> key16 = stackalloc byte[16];
        foreach (var cidr in excluded.AsSpan())
        {
            cidr.WriteKey(key16); // IPv4 as ::ffff:a.b.c.d
            if (cidr.IsIPv6)
            {
                var key = new SteerCidrKey { PrefixLength = (uint)cidr.PrefixLength };
                key16.CopyTo(new Span<byte>(key.Address, 16));
                ipv6Map.Update(key, (byte)1);
            }
            else
            {
                var key = new SteerCidr4Key { PrefixLength = (uint)cidr.PrefixLength };
                key16[12..].CopyTo(new Span<byte>(key.Address, 4));
                ipv4Map.Update(key, (byte)1);
            }
        }
    }
}
