using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Steer.Policy;

/// <summary>
/// Converts addresses to and from plain integers so prefix matching is mask-and-compare.
/// IPv4 lives in the low 32 bits; IPv6 uses all 128.
/// </summary>
internal static class AddressBits
{
    public const int IPv4Width = 32;
    public const int IPv6Width = 128;

    // ::ffff:0:0/96 — the IPv4-mapped block. Its 32-bit tail is the IPv4 address.
    private static readonly Bits128 MappedPrefix = (Bits128)0xffffu << 32;
    private static readonly Bits128 MappedMask = ~(Bits128)uint.MaxValue;

    /// <summary>
    /// Reads an address; IPv4-mapped IPv6 addresses come back as IPv4, because a dual-stack
    /// socket talking to ::ffff:a.b.c.d really sends IPv4 packets to a.b.c.d.
    /// </summary>
    public static (Bits128 Bits, bool IsIPv6) Read(IPAddress address)
    {
        var (bits, isIPv6) = ReadRaw(address);
        return isIPv6 && IsIPv4Mapped(bits) ? ((Bits128)(uint)bits, false) : (bits, isIPv6);
    }

    /// <summary>Reads an address as written: IPv4-mapped IPv6 stays IPv6.</summary>
    public static (Bits128 Bits, bool IsIPv6) ReadRaw(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
            throw new ArgumentException($"unsupported address {address}", nameof(address));
        if (address.AddressFamily == AddressFamily.InterNetwork && written == 4)
            return (BinaryPrimitives.ReadUInt32BigEndian(bytes), false);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && written == 16)
            return (Bits128.ReadBigEndian(bytes), true);
        throw new ArgumentException($"unsupported address family {address.AddressFamily}", nameof(address));
    }

    public static bool IsIPv4Mapped(Bits128 ipv6Bits) => (ipv6Bits & MappedMask) == MappedPrefix;

    /// <summary>The 128-bit kernel key form: IPv6 as is, IPv4 as ::ffff:a.b.c.d.</summary>
    public static Bits128 ToKeyBits(Bits128 bits, bool isIPv6) => isIPv6 ? bits : MappedPrefix | bits;

    public static IPAddress ToAddress(Bits128 bits, bool isIPv6)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (isIPv6)
        {
            bits.WriteBigEndian(bytes);
            return new IPAddress(bytes);
        }
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)bits);
        return new IPAddress(bytes[..4]);
    }

    public static int Width(bool isIPv6) => isIPv6 ? IPv6Width : IPv4Width;

    /// <summary>Mask with the top <paramref name="prefixLength"/> of <paramref name="width"/> bits set.</summary>
    public static Bits128 Mask(int prefixLength, int width)
    {
        // A shift by the full width would wrap around (shift counts are taken mod 128), hence the special case.
        if (prefixLength == 0)
            return Bits128.Zero;
        var all = width == IPv6Width ? Bits128.MaxValue : uint.MaxValue;
        return (all << (width - prefixLength)) & all;
    }

    /// <summary>Bit <paramref name="index"/> counted from the most significant end of a <paramref name="width"/>-bit value.</summary>
    public static int BitAt(Bits128 bits, int index, int width) => (int)(uint)((bits >> (width - 1 - index)) & Bits128.One);
}
