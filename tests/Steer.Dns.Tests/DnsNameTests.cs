namespace Steer.Dns.Tests;

public class DnsNameTests
{
    [Theory]
    [InlineData("www.example.com", "www.example.com")]
    [InlineData("WWW.Example.COM.", "www.example.com")]
    [InlineData("", "")]
    [InlineData(".", "")]
    [InlineData(@"a\.b.example", @"a\.b.example")]
    [InlineData(@"a\\b.example", @"a\\b.example")]
    [InlineData(@"a\032b", @"a\032b")]
    [InlineData(@"\065\066c", "abc")]
    [InlineData(@"\(x\)", "(x)")]
    [InlineData(@"\000\255", @"\000\255")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    public void Parses_to_normalised_text(string text, string expected) =>
        Assert.Equal(expected, DnsName.Parse(text).ToString());

    [Fact]
    public void Wire_form_is_length_prefixed_lowercase_labels()
    {
        Assert.Equal(Captures.Hex("03777777076578616d706c6503636f6d00"), DnsName.Parse("WWW.Example.com").WireBytes.ToArray());
        Assert.Equal([0], DnsName.Root.WireBytes.ToArray());
        Assert.Equal([0], default(DnsName).WireBytes.ToArray());
    }

    [Fact]
    public void A_dot_inside_a_label_is_not_a_separator()
    {
        var escaped = DnsName.Parse(@"a\.b.example");
        var plain = DnsName.Parse("a.b.example");
        Assert.NotEqual(plain, escaped);
        Assert.Equal(2, escaped.LabelCount);
        Assert.Equal(3, plain.LabelCount);
    }

    [Fact]
    public void Comparison_ignores_ASCII_case_only()
    {
        Assert.Equal(DnsName.Parse("Example.COM"), DnsName.Parse("example.com"));
        Assert.Equal(DnsName.Parse("Example.COM").GetHashCode(), DnsName.Parse("example.com").GetHashCode());
        // RFC 4343: only A-Z fold; byte 0xC4 is not 0xE4.
        Assert.NotEqual(DnsName.Parse(@"\196"), DnsName.Parse(@"\228"));
        Assert.True(DnsName.Parse("a.b") == DnsName.Parse("A.B"));
    }

    [Theory]
    [InlineData("a..b", "empty label")]
    [InlineData(".a", "empty label")]
    [InlineData("a b", "space or control")]
    [InlineData("bücher.example", "non-ASCII")]
    [InlineData(@"a\", "at the end")]
    [InlineData(@"a\25", "three digits")]
    [InlineData(@"a\2x5", "three digits")]
    [InlineData(@"a\256", "not a byte")]
    public void Refuses_malformed_text(string text, string problem)
    {
        Assert.False(DnsName.TryParse(text, out _, out var error));
        Assert.Contains(problem, error);
        Assert.Contains(problem, Assert.Throws<FormatException>(() => DnsName.Parse(text)).Message);
    }

    [Fact]
    public void Label_limit_is_63_bytes()
    {
        Assert.True(DnsName.TryParse(new string('a', 63) + ".com", out _, out _));
        Assert.False(DnsName.TryParse(new string('a', 64) + ".com", out _, out var error));
        Assert.Contains("label longer than 63", error);
    }

    [Fact]
    public void Name_limit_is_255_bytes_in_wire_form()
    {
        // 4 labels of 63 = 4*64 = 256 bytes + root: too long. 3 of 63 plus one of 61: 3*64 + 62 + 1 = 255.
        var label63 = new string('a', 63);
        var longest = $"{label63}.{label63}.{label63}.{new string('b', 61)}";
        Assert.Equal(255, DnsName.Parse(longest).WireLength);
        Assert.False(DnsName.TryParse(longest + "b", out _, out var error));
        Assert.Contains("longer than 255", error);
        Assert.False(DnsName.TryParse($"{label63}.{label63}.{label63}.{label63}", out _, out _));
        Assert.Equal(255, DnsName.Parse(longest + ".").WireLength);
    }

    [Theory]
    [InlineData("www.example.com", "example.com", true)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("EXAMPLE.com", "example.COM", true)]
    [InlineData("www.example.com", "", true)]
    [InlineData("www.example.com", "ample.com", false)]
    [InlineData("example.com", "www.example.com", false)]
    // "a\.example" is one label: this name is not in example.com, whatever its text looks like.
    [InlineData(@"a\.example.com", "example.com", false)]
    [InlineData(@"x.a\.example.com", "com", true)]
    [InlineData(@"a\.example.com", @"a\.example.com", true)]
    [InlineData(@"xa\.example.com", @"a\.example.com", false)]
    public void Subdomain(string name, string parent, bool expected) =>
        Assert.Equal(expected, DnsName.Parse(name).IsSubdomainOf(DnsName.Parse(parent)));

    [Fact]
    public void Parent_drops_the_first_label()
    {
        Assert.Equal(DnsName.Parse("example.com"), DnsName.Parse("www.example.com").Parent);
        Assert.Equal(DnsName.Root, DnsName.Parse("com").Parent);
        Assert.Equal(DnsName.Root, DnsName.Root.Parent);
    }
}
