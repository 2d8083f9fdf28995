using Steer.Linux.Bpf;

namespace Steer.Linux.Probes;

public static unsafe partial class KernelFeatures
{
    private const int ProgSocketFilter = 1, HelperSkbLoadBytes = 26;

    public static readonly KernelFeature SocketFilterPrograms = new("eBPF socket filters (BPF_PROG_TYPE_SOCKET_FILTER, SO_ATTACH_BPF)", "3.19",
        () => LibBpf.libbpf_probe_bpf_prog_type(ProgSocketFilter, null) == 1);
    public static readonly KernelFeature SkbLoadBytesFromSocketFilter = new("bpf_skb_load_bytes() in socket filters", "4.5",
        () => LibBpf.libbpf_probe_bpf_helper(ProgSocketFilter, HelperSkbLoadBytes, null) == 1);

    /// <summary>What passive DNS (bpf/steer_dns_sniff.bpf.c on a packet socket) needs.</summary>
    public static IReadOnlyList<KernelFeature> ForPassiveDns { get; } = [Bpf, SocketFilterPrograms, SkbLoadBytesFromSocketFilter];
}
