using System.Net;

namespace Steer.Policy.Tests;

public class CidrParseTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.168.1.7", "192.168.1.7/32")]
    [InlineData("fd00::/8", "fd00::/8")]
    [InlineData("FD00:0:0::/8", "fd00::/8")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("10.0.0.0/008", "10.0.0.0/8")]
    public void Parses_to_canonical_text(string text, string expected) =>
        Assert.Equal(expected, Cidr.Parse(text).ToString());

    [Fact]
    public void Host_bits_are_cleared_and_reported()
    {
        Assert.True(Cidr.TryParse("10.0.0.1/24", out var cidr, out var error, out var hostBitsWereSet));
        Assert.Null(error);
        Assert.True(hostBitsWereSet);
        Assert.Equal(Cidr.Parse("10.0.0.0/24"), cidr);

        Assert.True(Cidr.TryParse("10.0.0.0/24", out _, out _, out hostBitsWereSet));
        Assert.False(hostBitsWereSet);
        Assert.True(Cidr.TryParse("fd00::1/8", out cidr, out _, out hostBitsWereSet));
        Assert.True(hostBitsWereSet);
        Assert.Equal("fd00::/8", cidr.ToString());
    }

    [Fact]
    public void IPv4_mapped_network_is_an_IPv4_network()
    {
        Assert.Equal(Cidr.Parse("10.0.0.0/8"), Cidr.Parse("::ffff:10.0.0.0/104"));
        Assert.Equal(Cidr.Parse("10.1.2.3/32"), Cidr.Parse("::ffff:10.1.2.3"));
        Assert.Equal(Cidr.Parse("0.0.0.0/0"), Cidr.Parse("::ffff:0:0/96"));
        // Wider than the mapped block: stays IPv6.
        Assert.True(Cidr.Parse("::ffff:0:0/95").IsIPv6);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "10.0.0.0/33: prefix length 33 is out of range 0..32 for IPv4")]
    [InlineData("fd00::/129", "fd00::/129: prefix length 129 is out of range 0..128 for IPv6")]
    [InlineData("10.0.0.0/99999999999", "10.0.0.0/99999999999: prefix length 99999999999 is out of range 0..32 for IPv4")]
    [InlineData("10.0.0.0/-1", "10.0.0.0/-1: prefix length -1 is negative")]
    [InlineData("10.0.0.0/", "10.0.0.0/: missing prefix length after '/'")]
    [InlineData("10.0.0.0/8/8", "10.0.0.0/8/8: prefix length '8/8' is not a decimal number")]
    [InlineData("10.0.0.0/+8", "10.0.0.0/+8: prefix length '+8' is not a decimal number")]
    [InlineData("/8", "/8: missing address before '/'")]
    [InlineData("", "empty CIDR")]
    [InlineData(" 10.0.0.0/8", " 10.0.0.0/8: leading or trailing whitespace")]
    [InlineData("10.0.0.0/8 ", "10.0.0.0/8 : leading or trailing whitespace")]
    [InlineData("10.0.0.0/8x", "10.0.0.0/8x: prefix length '8x' is not a decimal number")]
    [InlineData("x10.0.0.0/8", "x10.0.0.0/8: unexpected character 'x' in address")]
    [InlineData("192.168.1", "192.168.1: IPv4 address '192.168.1' has 3 dotted parts, not 4 (no implicit completion; did you mean 192.168.1.0/24?)")]
    [InlineData("10", "10: IPv4 address '10' has 1 dotted part, not 4 (no implicit completion; did you mean 10.0.0.0/8?)")]
    [InlineData("1.2.3.4.5", "1.2.3.4.5: IPv4 address '1.2.3.4.5' has more than four dotted parts")]
    [InlineData("1.2..4", "1.2..4: empty part in IPv4 address")]
    [InlineData("256.0.0.0", "256.0.0.0: IPv4 part '256' is out of range 0..255")]
    [InlineData("010.0.0.1", "010.0.0.1: IPv4 part '010' has a leading zero (octal is ambiguous)")]
    [InlineData("0x0a.0.0.1", "0x0a.0.0.1: unexpected character 'x' in address")]
    [InlineData("fe80::1%eth0", "fe80::1%eth0: IPv6 zone ids are not allowed in a network")]
    [InlineData("fe80::1%2/64", "fe80::1%2/64: IPv6 zone ids are not allowed in a network")]
    [InlineData("[::1]/128", "[::1]/128: unexpected character '[' in IPv6 address")]
    [InlineData("1::2::3", "1::2::3: '1::2::3' is not a valid IPv6 address")]
    [InlineData("::ffff:1.2.3", "::ffff:1.2.3: IPv4 address '1.2.3' has 3 dotted parts, not 4 (no implicit completion)")]
    [InlineData("10.0.0/8", "10.0.0/8: IPv4 address '10.0.0' has 3 dotted parts, not 4 (no implicit completion)")]
    [InlineData("10.0.0.0/-x", "10.0.0.0/-x: prefix length '-x' is not a decimal number")]
    [InlineData("fd00::g/8", "fd00::g/8: unexpected character 'g' in IPv6 address")]
    [InlineData("garbage", "garbage: unexpected character 'g' in address")]
    public void Rejects_with_the_precise_problem(string text, string expected)
    {
        Assert.False(Cidr.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
        var thrown = Assert.Throws<FormatException>(() => Cidr.Parse(text));
        Assert.Equal(expected, thrown.Message);
    }

    [Fact]
    public void Constructor_normalises_like_the_parser()
    {
        Assert.Equal(Cidr.Parse("10.0.0.0/24"), new Cidr(IPAddress.Parse("10.0.0.99"), 24));
        Assert.Equal(Cidr.Parse("10.0.0.0/8"), new Cidr(IPAddress.Parse("::ffff:10.9.9.9"), 104));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Cidr(IPAddress.Parse("10.0.0.0"), 33));
        Assert.Throws<ArgumentException>(() => new Cidr(IPAddress.Parse("fe80::1%2"), 64));
    }

    [Fact]
    public void Default_is_all_of_IPv4() => Assert.Equal(Cidr.Parse("0.0.0.0/0"), default);
}
