using System.Globalization;
using Steer.Policy.Names;

namespace Steer.Policy.Tests.Names;

public class DomainNameTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("_sip._tcp.example.com", "_sip._tcp.example.com")]
    [InlineData("r3---sn-4g5e6nz7.googlevideo.com", "r3---sn-4g5e6nz7.googlevideo.com")]
    [InlineData("localhost", "localhost")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("XN--BCHER-KVA.example", "xn--bcher-kva.example")]
    [InlineData("münchen.de", "xn--mnchen-3ya.de")]
    [InlineData("faß.de", "xn--fa-hia.de")]
    [InlineData("日本。jp", "xn--wgv71a.jp")]
    [InlineData("ＥＸＡＭＰＬＥ．com", "example.com")]
    [InlineData("💩.la", "xn--ls8h.la")]
    [InlineData("ΕΛΛΗΝΙΚΑ.gr", "xn--mxahgifdar.gr")]
    [InlineData("xn--ls8h.la", "xn--ls8h.la")]
    [InlineData("xn--i-9bb.com", "xn--i-9bb.com")]
    [InlineData("a.b.c.d.e.f.g", "a.b.c.d.e.f.g")]
    [InlineData("123.example", "123.example")]
    public void Normalises(string text, string expected) => Assert.Equal(expected, DomainName.Parse(text).Value);

    [Fact]
    public void IdnMapping_encodes_punycode_under_invariant_globalization()
    {
        // The project runs with InvariantGlobalization=true; this is the fact the parser relies on,
        // and also why it maps case itself: the invariant IdnMapping encodes 'Ü' as is.
        Assert.True(AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant);
        var idn = new IdnMapping();
        Assert.Equal("xn--bcher-kva.example", idn.GetAscii("bücher.example"));
        Assert.Equal("xn--bcher-2pa.example", idn.GetAscii("bÜcher.example"));
        Assert.Equal("bücher.example", idn.GetUnicode("xn--bcher-kva.example"));
    }

    [Theory]
    [InlineData("", "empty domain name")]
    [InlineData(".", ".: '.' alone is the DNS root, not a domain name")]
    [InlineData(".example.com", ".example.com: starts with '.'; write 'example.com' (a domain rule already covers every subdomain)")]
    [InlineData("a..b", "a..b: empty label at position 3 (two dots in a row)")]
    [InlineData("a.b..", "a.b..: ends with two dots")]
    [InlineData("*.example.com", "*.example.com: wildcards are not needed: a `domain:` rule for 'example.com' already covers every subdomain (use `name:` to match one exact name only)")]
    [InlineData("a*.example.com", "a*.example.com: '*' at position 2: wildcards are not supported; a `domain:` rule already covers every subdomain")]
    [InlineData(" example.com", " example.com: leading or trailing whitespace")]
    [InlineData("exa mple.com", "exa mple.com: whitespace at position 4 is not allowed in a domain name")]
    [InlineData("https://example.com/", "https://example.com/: this is a URL; write only its host name, e.g. 'example.com'")]
    [InlineData("example.com:443", "example.com:443: ':' at position 12 is not allowed in a domain name (a port is not part of a name)")]
    [InlineData("2001:db8::1", "2001:db8::1: this is an IPv6 address, not a name; write a `cidr:` rule for addresses")]
    [InlineData("10.0.0.1", "10.0.0.1: this is an IPv4 address, not a name; write a `cidr:` rule for addresses")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8: '/' at position 9 is not allowed in a domain name (for a network, write a `cidr:` rule)")]
    [InlineData("host.123", "host.123: the last label '123' is all digits, which no top-level domain is (for addresses, write a `cidr:` rule)")]
    [InlineData("exa!mple.com", "exa!mple.com: '!' at position 4 is not allowed; a label has letters, digits, '-' and '_'")]
    [InlineData("a\u0001b.com", "a\u0001b.com: character U+0001 at position 2 is not allowed; a label has letters, digits, '-' and '_'")]
    [InlineData("-a.com", "-a.com: label '-a' starts with '-', which a host name label cannot")]
    [InlineData("a-.com", "a-.com: label 'a-' ends with '-', which a host name label cannot")]
    [InlineData("xn--zz.com", "xn--zz.com: label 'xn--zz' starts with 'xn--' but is not valid punycode")]
    [InlineData("xn--a.com", "xn--a.com: label 'xn--a' decodes to '\\u0080', which is not a valid name: character U+0080 is not allowed in a domain name")]
    [InlineData("İstanbul.com", "İstanbul.com: 'İ' (U+0130) lowercases to 'i' with a combining dot above; write 'i' if that is meant, or the label's xn-- form at position 1")]
    [InlineData("xn--bcher-2pa.example", "xn--bcher-2pa.example: label 'xn--bcher-2pa' is not in normal form: it decodes to 'bÜcher', which is written 'xn--bcher-kva'")]
    [InlineData("a\u00adb.com", "a\u00adb.com: the invisible formatting character U+00AD is not allowed (often left over from copy and paste) at position 2")]
    [InlineData("e\u0301.com", "e\u0301.com: the combining accent '\u0301' (U+0301) follows a plain letter: the text is decomposed; write the accented letter as one character, or the label's xn-- form at position 2")]
    [InlineData("\u0301a.com", "\u0301a.com: the combining mark '\u0301' (U+0301) cannot start a label at position 1")]
    [InlineData("\ufb01le.com", "\ufb01le.com: the ligature '\ufb01' (U+FB01) is not mapped here; write its letters separately at position 1")]
    [InlineData("Ⅸ.com", "Ⅸ.com: the compatibility character 'Ⅸ' (U+2168) is not mapped here; write the digits or letters it stands for at position 1")]
    [InlineData("a\u2010b.com", "a\u2010b.com: the punctuation or symbol '\u2010' (U+2010) is not allowed in a domain name at position 2")]
    [InlineData("ü!.com", "ü!.com: '!' at position 2 is not allowed; a label has letters, digits, '-' and '_'")]
    public void Rejects_with_the_precise_problem(string text, string expected)
    {
        Assert.False(DomainName.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => DomainName.Parse(text)).Message);
    }

    [Fact]
    public void Lone_surrogates_are_refused()
    {
        var text = "a" + (char)0xD800 + "b.com";
        Assert.False(DomainName.TryParse(text, out _, out var error));
        Assert.Equal($"{text}: invalid UTF-16 (a lone surrogate) at position 2", error);
    }

    [Fact]
    public void Written_xn_labels_are_not_second_guessed_by_the_decomposition_heuristic()
    {
        // 'x' + U+0302 has no precomposed form; written as xn-- it is taken as is.
        var ace = new System.Globalization.IdnMapping().GetAscii("x\u0302");
        Assert.Equal(ace + ".com", DomainName.Parse(ace + ".com").Value);
        Assert.False(DomainName.TryParse("x\u0302.com", out _, out _));
    }

    [Fact]
    public void Label_and_name_lengths_are_limited()
    {
        var label63 = new string('a', 63);
        Assert.True(DomainName.TryParse($"{label63}.com", out _, out _));
        Assert.False(DomainName.TryParse($"{label63}a.com", out _, out var error));
        Assert.Equal($"{label63}a.com: label '{label63}a' is 64 characters long; the limit is 63", error);

        // 60 ü encode to more than 63 characters of punycode.
        var umlauts = new string('ü', 60);
        Assert.False(DomainName.TryParse($"{umlauts}.de", out _, out error));
        Assert.Equal($"{umlauts}.de: label '{umlauts}' cannot be encoded as punycode (IDN labels must be between 1 and 63 characters long.)", error);

        var name253 = string.Join('.', Enumerable.Repeat(new string('a', 49), 5)) + ".abc"; // 5*49 + 4 dots + 4
        Assert.Equal(253, name253.Length);
        Assert.True(DomainName.TryParse(name253, out _, out _));
        Assert.True(DomainName.TryParse(name253 + ".", out _, out _));
        Assert.False(DomainName.TryParse("x" + name253, out _, out error));
        Assert.EndsWith(": is 254 characters long; the limit is 253", error);
    }

    [Fact]
    public void Subdomains_are_label_aligned()
    {
        var suffix = DomainName.Parse("example.com");
        Assert.True(DomainName.Parse("example.com").IsSameOrSubdomainOf(suffix));
        Assert.True(DomainName.Parse("a.b.example.com").IsSameOrSubdomainOf(suffix));
        Assert.False(DomainName.Parse("badexample.com").IsSameOrSubdomainOf(suffix));
        Assert.False(DomainName.Parse("com").IsSameOrSubdomainOf(suffix));
        Assert.False(suffix.IsSameOrSubdomainOf(default));
        Assert.Equal(3, DomainName.Parse("a.example.com").LabelCount);
        Assert.Equal(0, default(DomainName).LabelCount);
    }
}
