using Steer.Linux.Bpf;
using Steer.Linux.Cgroups;
using Steer.Linux.Probes;

namespace Steer.Linux.SocketPlane;

/// <summary>What the host-wide programs need to know: Steer's own cgroup (never touched) and how
/// many decisions each family's map holds at most (preallocated: the kernel sets the memory aside
/// at once; the default is dns.max-decisions' default).</summary>
public sealed record HostBindingOptions(Cgroup? OwnCgroup, int OwnCgroupLevel, uint Capacity = 1 << 18);

/// <summary>
/// The host-wide socket plane (bpf/steer_host.bpf.c) attached to a cgroup — the root cgroup in
/// production, any cgroup in tests — with its links and decision maps pinned in a directory, so
/// the kernel keeps enforcing decisions when the daemon is gone (fail closed for decided
/// addresses) and a restarted daemon adopts them (<see cref="Adopt"/>).
/// </summary>
public sealed class HostBinding : IDisposable
{
    private const string Decisions4 = "steer_decisions4", Decisions6 = "steer_decisions6", Cidr4 = "steer_cidr4", Cidr6 = "steer_cidr6";

    private static readonly (string Program, string What)[] Programs =
    [
        ("steer_host_connect4", "connect4"), ("steer_host_connect6", "connect6"),
        ("steer_host_sendmsg4", "sendmsg4"), ("steer_host_sendmsg6", "sendmsg6"),
    ];

    private readonly BpfObject? _bpf;
    private readonly List<BpfLink> _links;

    private HostBinding(BpfObject? bpf, List<BpfLink> links, string pinDirectory)
    {
        _bpf = bpf;
        _links = links;
        PinDirectory = pinDirectory;
        Decisions = new DecisionMap(BpfMap.OpenPinned(Path.Combine(pinDirectory, Decisions4)), BpfMap.OpenPinned(Path.Combine(pinDirectory, Decisions6)));
        CidrRules = new CidrRuleMap(BpfMap.OpenPinned(Path.Combine(pinDirectory, Cidr4)), BpfMap.OpenPinned(Path.Combine(pinDirectory, Cidr6)));
    }

    public DecisionMap Decisions { get; }

    public CidrRuleMap CidrRules { get; }

    public string PinDirectory { get; }

    /// <summary>True when a pin directory holds an attached host plane (a daemon ran before).</summary>
    public static bool IsPinned(string pinDirectory) => File.Exists(Path.Combine(pinDirectory, Decisions4));

    /// <summary>Loads the programs, attaches them to <paramref name="cgroup"/> and pins links and
    /// maps under <paramref name="pinDirectory"/>. All or nothing.</summary>
    public static HostBinding Attach(Cgroup cgroup, HostBindingOptions options, string pinDirectory)
    {
        ArgumentNullException.ThrowIfNull(cgroup);
        ArgumentNullException.ThrowIfNull(options);
        if (IsPinned(pinDirectory))
            throw new InvalidOperationException($"a host plane is already pinned at {pinDirectory}: adopt it, or remove it first");
        KernelFeatures.Require(KernelFeatures.ForHost);
        var bpf = BpfObject.OpenEmbedded("steer_host");
        var links = new List<BpfLink>();
        try
        {
            bpf.SetReadOnlySettings(new SteerHostConfig
            {
                OwnCgroupId = options.OwnCgroup?.Id ?? 0,
                OwnCgroupLevel = (uint)options.OwnCgroupLevel,
            });
            bpf.SetMaxEntries(Decisions4, options.Capacity);
            bpf.SetMaxEntries(Decisions6, options.Capacity);
            bpf.Load();
            Directory.CreateDirectory(pinDirectory);
            foreach (var map in new[] { Decisions4, Decisions6, Cidr4, Cidr6 })
                bpf.Map(map).Pin(Path.Combine(pinDirectory, map));
            using (var cgroupFd = cgroup.OpenDirectory())
            {
                foreach (var (program, what) in Programs)
                {
                    var link = bpf.AttachCgroup(program, (int)cgroupFd.DangerousGetHandle(), $"{cgroup.Path} (host {what})");
                    links.Add(link);
                    link.Pin(Path.Combine(pinDirectory, program));
                }
            }
            return new HostBinding(bpf, links, pinDirectory);
        }
        catch
        {
            foreach (var link in links)
                link.Dispose();
            RemoveAll(pinDirectory);
            bpf.Dispose();
            throw;
        }
    }

    /// <summary>Takes over a host plane a previous daemon pinned: its decisions stay in force.</summary>
    public static HostBinding Adopt(string pinDirectory)
    {
        if (!IsPinned(pinDirectory))
            throw new InvalidOperationException($"no host plane is pinned at {pinDirectory}");
        return new HostBinding(null, [], pinDirectory);
    }

    /// <summary>Removes everything pinned there; the programs detach once no process holds
    /// their links. Works without the daemon (`steer stop` after a crash).</summary>
    public static void RemoveAll(string pinDirectory) => RunBinding.Unpin(pinDirectory);

    /// <summary>Lets go of this process's handles; the pins keep the plane in force.</summary>
    public void Dispose()
    {
        Decisions.Dispose();
        CidrRules.Dispose();
        foreach (var link in _links)
            link.Dispose();
        _bpf?.Dispose();
    }
}
