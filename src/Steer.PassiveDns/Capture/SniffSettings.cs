using System.Runtime.InteropServices;

namespace Steer.PassiveDns.Capture;

/// <summary>Mirrors <c>struct steer_dns_sniff_config</c> in bpf/steer_dns_sniff.h byte for byte.</summary>
[StructLayout(LayoutKind.Sequential, Size = 4)]
internal struct SniffSettings
{
    public byte IncludeOutgoing;
    public byte IncludeLoopback;
}
