using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace Steer.Policy.Tests;

/// <summary>
/// Generators biased toward the interesting corners: few distinct values per byte so that random
/// networks and addresses actually overlap, zero runs for "::" compression, and the ::ffff: block.
/// </summary>
internal static class Generators
{
    private static readonly Gen<byte> InterestingByte =
        Gen.Frequency((3, Gen.Elements<byte>(0, 1, 10, 128, 192, 255)), (1, Gen.Choose(0, 255).Select(i => (byte)i)));

    public static readonly Gen<IPAddress> IPv4Address =
        InterestingByte.ArrayOf(4).Select(b => new IPAddress(b));

    public static readonly Gen<IPAddress> IPv6Address =
        Gen.Frequency(
            (3, InterestingByte.ArrayOf(16)),
            // Mostly-zero addresses so the text form uses "::" in varied places.
            (2, Gen.Elements<byte>(0, 0, 0, 1, 0xfd, 0xff).ArrayOf(16)),
            (1, IPv4Address.Select(a => a.MapToIPv6().GetAddressBytes())))
        .Select(b => new IPAddress(b));

    public static readonly Gen<IPAddress> AnyAddress = Gen.OneOf(IPv4Address, IPv6Address);

    public static readonly Gen<Cidr> IPv4Cidr =
        IPv4Address.SelectMany(a => Gen.Choose(0, 32), (a, p) => new Cidr(a, p));

    public static readonly Gen<Cidr> IPv6Cidr =
        IPv6Address.SelectMany(a => Gen.Choose(0, 128), (a, p) => new Cidr(a, p));

    public static readonly Gen<Cidr> AnyCidr = Gen.OneOf(IPv4Cidr, IPv6Cidr);

    /// <summary>
    /// Addresses inside the network, just outside it (one prefix bit flipped) or anywhere, so that
    /// "contains" properties see both answers rather than almost always "no".
    /// </summary>
    public static Gen<IPAddress> Near(Cidr network)
    {
        var inside = RandomBytes(network.IsIPv6 ? 16 : 4)
            .Select(random => BlendAfter(network.Network.GetAddressBytes(), random, network.PrefixLength));
        var outside = network.PrefixLength == 0
            ? inside
            : inside.SelectMany(_ => Gen.Choose(0, network.PrefixLength - 1), FlipBit);
        return Gen.Frequency(
            (3, inside.Select(b => new IPAddress(b))),
            (3, outside.Select(b => new IPAddress(b))),
            (1, inside.Select(b => new IPAddress(b).MapToIPv6())),
            (1, AnyAddress));
    }

    /// <summary>A network inside or around the given one, for containment between networks.</summary>
    public static Gen<Cidr> NearCidr(Cidr network) =>
        Near(network).SelectMany(
            a => Gen.Choose(0, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128),
            (a, prefix) => new Cidr(a, prefix));

    private static Gen<byte[]> RandomBytes(int count) => Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(count);

    private static byte[] BlendAfter(byte[] network, byte[] random, int prefixLength)
    {
        var result = (byte[])network.Clone();
        for (var bit = prefixLength; bit < result.Length * 8; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            result[bit / 8] = (byte)((result[bit / 8] & ~mask) | (random[bit / 8] & mask));
        }
        return result;
    }

    private static byte[] FlipBit(byte[] address, int bit)
    {
        var result = (byte[])address.Clone();
        result[bit / 8] ^= (byte)(0x80 >> (bit % 8));
        return result;
    }

    /// <summary>Strings over the characters a CIDR is made of, plus the usual mistakes.</summary>
    public static readonly Gen<string> CidrishText =
        Gen.Elements("0123456789abcdefABCDEF.:/%-+[] x,#\t\0ég".ToCharArray())
            .ArrayOf()
            .Select(chars => new string(chars));

    /// <summary>Valid CIDR text with one random edit, to land near the grammar's edges.</summary>
    public static readonly Gen<string> MutatedCidrText =
        from text in AnyCidr.Select(c => c.ToString())
        from position in Gen.Choose(0, text.Length - 1)
        from replacement in Gen.Elements("0123456789.:/%-f ".ToCharArray())
        from edit in Gen.Choose(0, 2)
        select edit switch
        {
            0 => text.Insert(position, replacement.ToString()),
            1 => text.Remove(position, 1),
            _ => text.Remove(position, 1).Insert(position, replacement.ToString()),
        };

    /// <summary>Arbitrary bytes read as text the way a file or argv might arrive.</summary>
    public static readonly Gen<string> BytesAsText =
        Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf().Select(b => System.Text.Encoding.Latin1.GetString(b));

    public static readonly Config Config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(2000);
}
