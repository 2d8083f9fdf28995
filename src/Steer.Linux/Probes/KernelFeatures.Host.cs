using Steer.Linux.Bpf;

namespace Steer.Linux.Probes;

public static unsafe partial class KernelFeatures
{
    private const int MapHash = 1, MapSkStorage = 24;
    private const int HelperSkStorageGet = 107, HelperGetCurrentAncestorCgroupId = 123, HelperKtimeGetBootNs = 125;

    public static readonly KernelFeature HashMaps = new("BPF hash maps", "3.19",
        () => LibBpf.libbpf_probe_bpf_map_type(MapHash, null) == 1);
    public static readonly KernelFeature SocketStorageMaps = new("BPF socket storage maps (BPF_MAP_TYPE_SK_STORAGE)", "5.2",
        () => LibBpf.libbpf_probe_bpf_map_type(MapSkStorage, null) == 1);
    public static readonly KernelFeature SocketStorageFromSockAddr = new("bpf_sk_storage_get() in connect/sendmsg hooks", "5.3",
        () => LibBpf.libbpf_probe_bpf_helper(ProgCgroupSockAddr, HelperSkStorageGet, null) == 1);
    public static readonly KernelFeature AncestorCgroupFromSockAddr = new("bpf_get_current_ancestor_cgroup_id() in connect/sendmsg hooks", "5.7",
        () => LibBpf.libbpf_probe_bpf_helper(ProgCgroupSockAddr, HelperGetCurrentAncestorCgroupId, null) == 1);
    public static readonly KernelFeature BootClockFromSockAddr = new("bpf_ktime_get_boot_ns() in connect/sendmsg hooks", "5.8",
        () => LibBpf.libbpf_probe_bpf_helper(ProgCgroupSockAddr, HelperKtimeGetBootNs, null) == 1);

    /// <summary>What the host-wide socket plane (bpf/steer_host.bpf.c, `steer start`) needs.</summary>
    public static IReadOnlyList<KernelFeature> ForHost { get; } =
    [
        Bpf, CgroupV2, BpfFs, CgroupSockAddrPrograms, HashMaps, LpmTrie, SocketStorageMaps,
        SetsockoptFromSockAddr, SocketStorageFromSockAddr, AncestorCgroupFromSockAddr, BootClockFromSockAddr,
    ];
}
