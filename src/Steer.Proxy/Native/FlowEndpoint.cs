using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Steer.Proxy.Native;

/// <summary>
/// An address and port as the relay keeps them: 16 bytes of address (IPv4 as IPv4-mapped IPv6) and
/// a port, a plain value with no heap object, so registries and flow keys allocate nothing.
/// </summary>
public readonly record struct FlowEndpoint(UInt128 Address, ushort Port)
{
    private static readonly UInt128 MappedPrefix = (UInt128)0xffff << 32;
    private static readonly UInt128 MappedMask = ~(UInt128)uint.MaxValue;

    public bool IsIPv4 => (Address & MappedMask) == MappedPrefix;

    /// <summary>0.0.0.0 or ::, as getsockname reports a socket bound to no address yet.</summary>
    public bool IsUnspecified => Address == 0 || Address == MappedPrefix;

    public bool IsEmpty => Address == 0 && Port == 0;

    /// <summary>False for a flow known only by name so far (a SOCKS or HTTP CONNECT request for a host name).</summary>
    public bool HasAddress => Address != 0;

    public static FlowEndpoint FromIPv4(uint addressHostOrder, ushort port) => new(MappedPrefix | addressHostOrder, port);

    public static FlowEndpoint From(IPAddress address, int port)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes), (ushort)port);
        }
        address.TryWriteBytes(bytes, out _);
        return new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(bytes), (ushort)port);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(Address & uint.MaxValue));
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, Address);
        return new IPAddress(bytes);
    }

    public IPEndPoint ToIPEndPoint() => new(ToIPAddress(), Port);

    /// <summary>"192.0.2.1:443" or "[2001:db8::1]:443".</summary>
    public override string ToString() => IsIPv4 ? $"{ToIPAddress()}:{Port}" : $"[{ToIPAddress()}]:{Port}";
}
