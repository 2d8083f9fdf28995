
namespace Steer.Policy.Tests;

public class CidrKeyTests
{
    private static (string Hex, int Length) Key(string cidr)
    {
        var parsed = Cidr.Parse(cidr);
        var key = new byte[Cidr.KeyLength];
        parsed.WriteKey(key);
        return (Convert.ToHexStringLower(key), parsed.KeyPrefixLength);
    }

    [Fact]
    public void IPv4_is_written_as_mapped_IPv6() =>
        Assert.Equal(("00000000000000000000ffff0a000000", 104), Key("10.0.0.0/8"));

    [Fact]
    public void IPv6_is_written_as_is() =>
        Assert.Equal(("fd000000000000000000000000000000", 8), Key("fd00::/8"));

    [Fact]
    public void All_of_IPv4_is_the_mapped_block() =>
        Assert.Equal(Key("::ffff:0:0/96"), Key("0.0.0.0/0"));

    [Fact]
    public void Short_destination_is_refused() =>
        Assert.Throws<ArgumentException>(() => Cidr.Parse("10.0.0.0/8").WriteKey(new byte[15]));

    [Theory]
    [InlineData("::/0", true)]
    [InlineData("::/80", true)]
    [InlineData("::ffff:0:0/95", true)]
    [InlineData("::/81", false)]
    [InlineData("fd00::/8", false)]
    [InlineData("0.0.0.0/0", false)]
    public void Flags_IPv6_networks_whose_key_would_catch_IPv4(string cidr, bool expected) =>
        Assert.Equal(expected, Cidr.Parse(cidr).KeyCoversIPv4);
}
