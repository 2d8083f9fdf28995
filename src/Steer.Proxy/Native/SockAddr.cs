using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Steer.Proxy.Native;

/// <summary>A sockaddr_in or sockaddr_in6 on the stack (28 bytes covers both).</summary>
[StructLayout(LayoutKind.Sequential, Size = 28)]
internal unsafe struct SockAddr
{
    private fixed byte _bytes[28];

    public const int Size = 28;

    public ushort Family
    {
        get { fixed (byte* p = _bytes) return *(ushort*)p; }
    }

    /// <summary>The length to pass to bind/connect for this family.</summary>
    public int Length => Family == Sys.AF_INET ? 16 : 28;

    public static SockAddr From(in FlowEndpoint endpoint, bool forceIPv6 = false)
    {
        var address = new SockAddr();
        byte* p = address._bytes;
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(p + 2, 2), endpoint.Port);
        if (endpoint.IsIPv4 && !forceIPv6)
        {
            *(ushort*)p = Sys.AF_INET;
            BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(p + 4, 4), (uint)(endpoint.Address & uint.MaxValue));
        }
        else
        {
            *(ushort*)p = Sys.AF_INET6;
            BinaryPrimitives.WriteUInt128BigEndian(new Span<byte>(p + 8, 16), endpoint.Address);
        }
        return address;
    }

    public readonly FlowEndpoint ToEndpoint()
    {
        fixed (byte* p = _bytes)
        {
            var port = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(p + 2, 2));
            if (*(ushort*)p == Sys.AF_INET)
                return FlowEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(p + 4, 4)), port);
            if (*(ushort*)p == Sys.AF_INET6)
                return new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(new ReadOnlySpan<byte>(p + 8, 16)), port);
            return default;
        }
    }

    public static FlowEndpoint LocalOf(int fd)
    {
        var address = new SockAddr();
        var length = Size;
        return Sys.getsockname(fd, &address, &length) < 0 ? default : address.ToEndpoint();
    }

    public static FlowEndpoint PeerOf(int fd)
    {
        var address = new SockAddr();
        var length = Size;
        return Sys.getpeername(fd, &address, &length) < 0 ? default : address.ToEndpoint();
    }
}
