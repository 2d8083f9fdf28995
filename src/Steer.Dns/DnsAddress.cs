using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Steer.Dns;

/// <summary>
/// An address from an A or AAAA record, as a value: reading answers for the kernel map must not
/// allocate an <see cref="IPAddress"/> per record. IPv4 lives in the low 32 bits.
/// </summary>
public readonly record struct DnsAddress
{
    private readonly UInt128 _bits;

    private DnsAddress(UInt128 bits, bool isIPv6)
    {
        _bits = bits;
        IsIPv6 = isIPv6;
    }

    public bool IsIPv6 { get; }

    /// <summary>4 for IPv4, 16 for IPv6: the RDATA length of its record.</summary>
    public int Length => IsIPv6 ? 16 : 4;

    /// <summary>The record type that carries this address.</summary>
    public DnsType RecordType => IsIPv6 ? DnsType.AAAA : DnsType.A;

    /// <summary>IPv4 in the low 32 bits, or all 128 bits of IPv6, in host order.</summary>
    public UInt128 Bits => _bits;

    /// <summary>An address from 4 (IPv4) or 16 (IPv6) bytes in network order.</summary>
    public static DnsAddress FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 => new DnsAddress(BinaryPrimitives.ReadUInt32BigEndian(bytes), false),
        16 => new DnsAddress(BinaryPrimitives.ReadUInt128BigEndian(bytes), true),
        _ => throw new ArgumentException($"an address has 4 or 16 bytes, not {bytes.Length}", nameof(bytes)),
    };

    public static DnsAddress FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"not an IP address: {address}", nameof(address));
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return FromBytes(bytes[..written]);
    }

    public static DnsAddress Parse(string text) => FromIPAddress(IPAddress.Parse(text));

    /// <summary>Writes the address in network order; returns 4 or 16.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (IsIPv6)
            BinaryPrimitives.WriteUInt128BigEndian(destination, _bits);
        else
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_bits);
        return Length;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        return new IPAddress(bytes[..WriteTo(bytes)]);
    }

    public override string ToString() => ToIPAddress().ToString();
}
