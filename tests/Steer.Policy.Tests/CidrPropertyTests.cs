using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace Steer.Policy.Tests;

public class CidrPropertyTests
{
    private static readonly Gen<string> AnyText = Gen.OneOf(
        Generators.CidrishText, Generators.MutatedCidrText, Generators.BytesAsText,
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""));

    [Fact]
    public void TryParse_never_throws_and_Parse_throws_only_FormatException() =>
        Check.One(Generators.Config, Prop.ForAll(AnyText.ToArbitrary(), text =>
        {
            var ok = Cidr.TryParse(text, out var fromTry, out var error);
            Assert.Equal(ok, error is null);
            Cidr parsed = default;
            var thrown = Record.Exception(() => parsed = Cidr.Parse(text));
            if (ok)
            {
                Assert.Null(thrown);
                Assert.Equal(fromTry, parsed);
            }
            else
            {
                Assert.Equal(error, Assert.IsType<FormatException>(thrown).Message);
            }
        }));

    [Fact]
    public void Text_round_trips() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.AnyCidr.ToArbitrary(), cidr =>
        {
            var text = cidr.ToString();
            Assert.Equal(cidr, Cidr.Parse(text));
            Assert.True(Cidr.TryParse(text, out _, out _, out var hostBitsWereSet));
            Assert.False(hostBitsWereSet);
        }));

    [Fact]
    public void Network_contains_its_base_and_no_other_family() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.AnyCidr.ToArbitrary(), cidr =>
        {
            Assert.True(cidr.Contains(cidr.Network));
            Assert.True(cidr.Contains(cidr));
            var otherFamily = cidr.IsIPv6 ? IPAddress.Parse("10.0.0.1") : IPAddress.Parse("2001:db8::1");
            Assert.False(cidr.Contains(otherFamily));
        }));

    [Fact]
    public void Network_containment_implies_address_containment() =>
        Check.One(Generators.Config, Prop.ForAll(
            (from outer in Generators.AnyCidr
             from inner in Generators.NearCidr(outer)
             from address in Generators.Near(inner)
             select (outer, inner, address)).ToArbitrary(),
            t =>
            {
                var (outer, inner, address) = t;
                if (outer.Contains(inner) && inner.Contains(address))
                    Assert.True(outer.Contains(address));
            }));

    [Fact]
    public void IPv4_key_prefix_matches_exactly_the_contained_addresses() =>
        Check.One(Generators.Config, Prop.ForAll(
            (from cidr in Generators.IPv4Cidr
             from address in Generators.Near(cidr).Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
             select (cidr, address)).ToArbitrary(),
            t =>
            {
                var (cidr, address) = t;
                var key = new byte[Cidr.KeyLength];
                cidr.WriteKey(key);
                // The datapath's lookup key for an IPv4 packet: the address as ::ffff:a.b.c.d.
                var lookup = address.MapToIPv6().GetAddressBytes();
                Assert.Equal(cidr.Contains(address), LeadingBitsEqual(key, lookup, cidr.KeyPrefixLength));
            }));

    private static bool LeadingBitsEqual(byte[] a, byte[] b, int bits)
    {
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask))
                return false;
        }
        return true;
    }
}
