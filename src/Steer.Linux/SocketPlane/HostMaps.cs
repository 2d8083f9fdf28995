using System.Runtime.InteropServices;

namespace Steer.Linux.SocketPlane;

// Mirrors of bpf/steer_host.h, byte for byte. The comments there say what each field means.

[StructLayout(LayoutKind.Sequential)]
internal struct SteerDecision
{
    public uint Ifindex;
    public uint Rule;
    public ulong ExpiresNs;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SteerDecision6Key
{
    public fixed byte Address[16];
}

[StructLayout(LayoutKind.Sequential)]
internal struct SteerHostConfig
{
    public ulong OwnCgroupId;
    public uint OwnCgroupLevel;
    public uint Pad;
}
