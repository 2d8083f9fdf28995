using System.Net;

namespace Steer.Policy.Tests;

public class CidrContainsTests
{
    private static bool Contains(string cidr, string address) => Cidr.Parse(cidr).Contains(IPAddress.Parse(address));

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.0.1", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("fd00::/8", "fd12::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("fe80::/10", "fe80::1%2", true)]
    public void Matches_addresses(string cidr, string address, bool expected) =>
        Assert.Equal(expected, Contains(cidr, address));

    [Fact]
    public void A_slash_24_does_not_cover_its_neighbours()
    {
        // The LD_PRELOAD tool's "192.168.1" string prefix would match 192.168.10.5; a real /24 must not.
        Assert.False(Contains("192.168.1.0/24", "192.168.10.5"));
        Assert.False(Contains("192.168.1.0/24", "192.168.2.0"));
        Assert.False(Contains("192.168.1.0/24", "192.168.0.255"));
        Assert.True(Contains("192.168.1.0/24", "192.168.1.255"));
        Assert.False(Cidr.Parse("192.168.1.0/24").Contains(Cidr.Parse("192.168.10.0/24")));
    }

    [Fact]
    public void Families_are_separate_except_for_mapped_addresses()
    {
        Assert.True(Contains("10.0.0.0/8", "::ffff:10.1.2.3"));
        Assert.False(Contains("::/0", "10.1.2.3"));
        Assert.False(Contains("::/0", "::ffff:10.1.2.3"));
        Assert.True(Contains("::/0", "2001:db8::1"));
        Assert.False(Contains("0.0.0.0/0", "2001:db8::1"));
        // IPv4-compatible (deprecated, not mapped) stays IPv6.
        Assert.False(Contains("0.0.0.0/0", "::10.1.2.3"));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/16", true)]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", true)]
    [InlineData("10.1.0.0/16", "10.0.0.0/8", false)]
    [InlineData("10.0.0.0/8", "11.0.0.0/16", false)]
    [InlineData("::/0", "0.0.0.0/0", false)]
    [InlineData("0.0.0.0/0", "::/0", false)]
    [InlineData("fd00::/8", "fd00:1::/32", true)]
    public void Matches_networks(string outer, string inner, bool expected) =>
        Assert.Equal(expected, Cidr.Parse(outer).Contains(Cidr.Parse(inner)));
}
