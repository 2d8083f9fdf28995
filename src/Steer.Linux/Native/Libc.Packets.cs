using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

/// <summary>AF_PACKET capture (packet(7)) and socket-level options.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recvfrom(int fd, byte* buffer, nuint length, int flags, void* address, uint* addressLength);

    internal const int AF_PACKET = 17, SOCK_DGRAM = 2, ETH_P_ALL = 0x0003;
    internal const int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_ATTACH_BPF = 50;
    internal const int SOL_PACKET = 263, PACKET_STATISTICS = 6, PACKET_IGNORE_OUTGOING = 23;
    internal const int MSG_DONTWAIT = 0x40;
    internal const short POLLERR = 8;

    /// <summary><c>struct sockaddr_ll</c> (20 bytes): where a captured packet was seen.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;     // EtherType, network order
        public int InterfaceIndex;
        public ushort HardwareType; // ARPHRD_*
        public byte PacketType;     // PACKET_HOST, PACKET_OUTGOING, ...
        public byte AddressLength;
        public ulong Address;
    }

    /// <summary><c>struct tpacket_stats</c>: counts since the last read, which resets them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketStats
    {
        public uint Packets;
        public uint Drops;
    }
}
