using System.Net;

namespace Steer.Policy.Tests;

public class CidrListTests
{
    [Fact]
    public void Parses_repeated_comma_separated_values_in_order_without_duplicates()
    {
        var list = CidrList.Parse(["10.0.0.0/8, fd00::/8", " 192.168.1.0/24 ,10.0.0.0/8", "10.9.9.9/8"]);
        Assert.Equal(["10.0.0.0/8", "fd00::/8", "192.168.1.0/24"], list.Select(c => c.ToString()));
        Assert.Equal(["value 3, item 1: 10.9.9.9/8: host bits are set; using 10.0.0.0/8"], list.Warnings);
    }

    [Fact]
    public void Reports_every_bad_item_with_its_position()
    {
        var thrown = Assert.Throws<FormatException>(() => CidrList.Parse(["10.0.0.0/8,,fd00::/8", "1.2.3.4/33, 192.168.1"]));
        Assert.Equal(
            "value 1, item 2: empty item\n" +
            "value 2, item 1: 1.2.3.4/33: prefix length 33 is out of range 0..32 for IPv4\n" +
            "value 2, item 2: 192.168.1: IPv4 address '192.168.1' has 3 dotted parts, not 4 (no implicit completion; did you mean 192.168.1.0/24?)",
            thrown.Message);
    }

    [Fact]
    public void Trailing_comma_and_empty_value_are_errors()
    {
        Assert.Equal("value 1, item 2: empty item", Assert.Throws<FormatException>(() => CidrList.Parse(["10.0.0.0/8,"])).Message);
        Assert.Equal("value 1, item 1: empty item", Assert.Throws<FormatException>(() => CidrList.Parse([" "])).Message);
    }

    [Fact]
    public void Parses_a_file_with_comments_and_blank_lines()
    {
        var file = "# private ranges\n10.0.0.0/8\n\n   fd00::/8   # ULA\r\n#192.168.0.0/16\n10.0.0.0/8\n";
        var list = CidrList.ParseFile("excludes.txt", new StringReader(file));
        Assert.Equal(["10.0.0.0/8", "fd00::/8"], list.Select(c => c.ToString()));
        Assert.Empty(list.Warnings);
    }

    [Fact]
    public void File_errors_name_file_and_line()
    {
        var file = "10.0.0.0/8\n10.0.0.0/8,fd00::/8\n\nfe80::1%eth0 # link\n10.0.0.1/8\n";
        var thrown = Assert.Throws<FormatException>(() => CidrList.ParseFile("ex.txt", new StringReader(file)));
        Assert.Equal(
            "ex.txt:2: 10.0.0.0/8,fd00::/8: prefix length '8,fd00::/8' is not a decimal number\n" +
            "ex.txt:4: fe80::1%eth0: IPv6 zone ids are not allowed in a network",
            thrown.Message);
    }

    [Fact]
    public void File_warnings_name_file_and_line()
    {
        var list = CidrList.ParseFile("ex.txt", new StringReader("\n10.0.0.1/8\n"));
        Assert.Equal(["ex.txt:2: 10.0.0.1/8: host bits are set; using 10.0.0.0/8"], list.Warnings);
    }

    [Fact]
    public void Contains_uses_longest_match()
    {
        var list = CidrList.Parse(["10.0.0.0/8,10.1.0.0/16,fd00::/8,192.168.1.0/24"]);
        Assert.True(list.TryFindLongestMatch(IPAddress.Parse("10.1.2.3"), out var match));
        Assert.Equal("10.1.0.0/16", match.ToString());
        Assert.True(list.TryFindLongestMatch(IPAddress.Parse("::ffff:10.2.0.1"), out match));
        Assert.Equal("10.0.0.0/8", match.ToString());
        Assert.True(list.Contains(IPAddress.Parse("fd00::5")));
        Assert.False(list.Contains(IPAddress.Parse("192.168.10.5")));
        Assert.False(list.Contains(IPAddress.Parse("11.0.0.1")));
        Assert.False(CidrList.Empty.Contains(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void Default_route_in_each_family_stays_in_its_family()
    {
        var list = CidrList.Parse(["::/0"]);
        Assert.False(list.Contains(IPAddress.Parse("10.0.0.1")));
        Assert.True(list.Contains(IPAddress.Parse("2001:db8::1")));
        Assert.True(CidrList.Parse(["0.0.0.0/0"]).Contains(IPAddress.Parse("::ffff:1.2.3.4")));
    }
}
