using System.Net;

namespace Steer.Linux.Netlink;

/// <summary>Checked reading of address attributes and prefixes shared by the address, route and
/// rule decoders.</summary>
internal static class AddressAttributes
{
    /// <summary>The address width in bytes of an AF_* family: 4, 16, or 0 for families this layer skips.</summary>
    public static int SizeOf(byte family) => family switch { Rt.AF_INET => 4, Rt.AF_INET6 => 16, _ => 0 };

    public static byte FamilyOf(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Rt.AF_INET6 : Rt.AF_INET;

    public static IPAddress Read(in NetlinkAttribute attribute, int size) =>
        attribute.Payload.Length == size
            ? new IPAddress(attribute.Payload)
            : throw new NetlinkParseException($"address attribute {attribute.Type} of {attribute.Payload.Length} bytes, expected {size}", attribute.Offset);

    /// <summary>
    /// The network <paramref name="address"/>/<paramref name="prefixLength"/> (the all-zero
    /// address when the attribute was absent), host bits cleared. The kernel keeps IPv4 routes
    /// masked, but IPv6 rules keep the address as given; a record holds the network, as IPNetwork
    /// does (it clears host bits too), so <c>fd00::1/64</c> reads as <c>fd00::/64</c>.
    /// </summary>
    public static IPNetwork Network(IPAddress? address, int prefixLength, int size, int offset)
    {
        if (prefixLength > size * 8)
            throw new NetlinkParseException($"prefix length {prefixLength} for a {size * 8}-bit address", offset);
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        if (address is not null && !address.TryWriteBytes(bytes, out _))
            throw new NetlinkParseException($"address {address} does not fit", offset);
        bytes = bytes[..size];
        for (int bit = prefixLength; bit < size * 8; bit++)
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }
}
