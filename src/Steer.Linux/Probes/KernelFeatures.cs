using Steer.Linux.Bpf;
using Steer.Linux.Mounts;

namespace Steer.Linux.Probes;

/// <summary>
/// Named, cached probes of what the running kernel can do. Each probe asks the kernel itself
/// (libbpf loads a minimal program or map of the kind); none guesses from version numbers.
/// </summary>
public static unsafe partial class KernelFeatures
{
    // Numbers from the kernel's UAPI (linux/bpf.h), which never renumbers.
    private const int ProgCgroupSock = 9, ProgCgroupSockAddr = 18, ProgCgroupSockopt = 25;
    private const int MapArray = 2, MapLruHash = 9, MapLpmTrie = 11;
    private const int HelperGetCurrentUidGid = 15, HelperGetSocketCookie = 46, HelperSetsockopt = 49;

    public static readonly KernelFeature Bpf = new("the bpf() system call", "3.18",
        () => LibBpf.libbpf_probe_bpf_map_type(MapArray, null) == 1);
    public static readonly KernelFeature CgroupV2 = new("cgroup v2", "4.5",
        () => File.Exists("/proc/self/cgroup") && File.ReadLines("/proc/self/cgroup").Any(l => l.StartsWith("0::", StringComparison.Ordinal)));
    public static readonly KernelFeature CgroupSockPrograms = new("BPF_PROG_TYPE_CGROUP_SOCK programs", "4.10",
        () => LibBpf.libbpf_probe_bpf_prog_type(ProgCgroupSock, null) == 1);
    public static readonly KernelFeature CgroupSockAddrPrograms = new("BPF_PROG_TYPE_CGROUP_SOCK_ADDR programs (connect/sendmsg hooks)", "4.17",
        () => LibBpf.libbpf_probe_bpf_prog_type(ProgCgroupSockAddr, null) == 1);
    public static readonly KernelFeature CgroupSockoptPrograms = new("BPF_PROG_TYPE_CGROUP_SOCKOPT programs", "5.3",
        () => LibBpf.libbpf_probe_bpf_prog_type(ProgCgroupSockopt, null) == 1);
    public static readonly KernelFeature LpmTrie = new("BPF LPM trie maps", "4.11",
        () => LibBpf.libbpf_probe_bpf_map_type(MapLpmTrie, null) == 1);
    public static readonly KernelFeature LruHash = new("BPF LRU hash maps", "4.10",
        () => LibBpf.libbpf_probe_bpf_map_type(MapLruHash, null) == 1);
    public static readonly KernelFeature SetsockoptFromSockAddr = new("bpf_setsockopt() in connect/sendmsg hooks", "5.8",
        () => LibBpf.libbpf_probe_bpf_helper(ProgCgroupSockAddr, HelperSetsockopt, null) == 1);
    public static readonly KernelFeature SocketCookieFromSockAddr = new("bpf_get_socket_cookie() in connect/sendmsg hooks", "4.20",
        () => LibBpf.libbpf_probe_bpf_helper(ProgCgroupSockAddr, HelperGetSocketCookie, null) == 1);
    public static readonly KernelFeature UidFromSockCreate = new("bpf_get_current_uid_gid() in socket-creation hooks", "4.10",
        () => LibBpf.libbpf_probe_bpf_helper(ProgCgroupSock, HelperGetCurrentUidGid, null) == 1);
    public static readonly KernelFeature BpfFs = new("the BPF filesystem (bpffs)", "4.4",
        () => File.ReadLines("/proc/filesystems").Any(l => l.EndsWith("\tbpf", StringComparison.Ordinal)));

    /// <summary>What <c>steer run</c> needs.</summary>
    public static IReadOnlyList<KernelFeature> ForRun { get; } =
    [
        Bpf, CgroupV2, BpfFs, CgroupSockPrograms, CgroupSockAddrPrograms, CgroupSockoptPrograms,
        LpmTrie, LruHash, SetsockoptFromSockAddr, SocketCookieFromSockAddr, UidFromSockCreate,
    ];

    private static readonly Dictionary<KernelFeature, bool> Cache = [];
    private static readonly Lock Gate = new();

    public static bool IsAvailable(KernelFeature feature)
    {
        lock (Gate)
        {
            if (!Cache.TryGetValue(feature, out var available))
            {
                try { available = feature.Probe(); }
                catch (IOException) { available = false; }
                Cache[feature] = available;
            }
            return available;
        }
    }

    /// <summary>Throws <see cref="MissingKernelFeatureException"/> naming every absent feature.</summary>
    public static void Require(IEnumerable<KernelFeature> features)
    {
        var missing = features.Where(f => !IsAvailable(f)).ToList();
        if (missing.Count > 0)
            throw new MissingKernelFeatureException(missing, KernelRelease);
    }

    public static string KernelRelease =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
}
