using System.Runtime.InteropServices;

namespace Steer.Linux.SocketPlane;

// Mirrors of bpf/steer_run.h, byte for byte. The comments there say what each field means.

[StructLayout(LayoutKind.Sequential)]
internal struct SteerRunState
{
    public uint Ifindex;
    public uint Flags;

    public const uint RefuseAll = 1;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SteerCidrKey
{
    public uint PrefixLength;
    public fixed byte Address[16];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SteerCidr4Key
{
    public uint PrefixLength;
    public fixed byte Address[4];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SteerRunConfig
{
    public fixed byte DnsAddress[16];
    public ushort DnsPortNetworkOrder;
    public byte DnsEnabled;
    public byte DnsIsIPv4;
    public fixed byte InterfaceName[16];
}
