using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests;

public class RuleImportTests
{
    private static readonly RuleAction ViaWg0 = new ViaAction("wg0");

    private static string[] Domains(string text) =>
        [.. RuleImport.Parse(new StringReader(text), "list.txt", ViaWg0).Select(r => ((DomainDestination)r.Destination).Suffix.Value)];

    [Fact]
    public void Plain_lists_with_comments_blank_lines_and_odd_case()
    {
        Assert.Equal(["example.com", "intranet.corp", "xn--bcher-kva.example"],
            Domains("# streaming\nExample.COM.\n\n  intranet.corp   # the company\nbücher.example\nexample.com\n"));
    }

    [Fact]
    public void Dnsmasq_lines_name_their_domains_between_slashes()
    {
        var text = """
            server=/a.com/b.org/10.64.0.1
            nftset=/c.net/4#inet#fw#vpn
            ipset=/d.io/vpnset
            address=/e.dev/127.0.0.1
            cache-size=1000
            no-resolv
            """;
        Assert.Equal(["a.com", "b.org", "c.net", "d.io", "e.dev"], Domains(text));
    }

    [Fact]
    public void A_list_with_dnsmasq_lines_mixed_in_keeps_its_plain_names()
    {
        // The dnsmasq lines switch on dnsmasq reading; the plain names must not be taken for flags.
        Assert.Equal(["plain.example", "a.com", "other.example"],
            Domains("plain.example\nserver=/a.com/10.64.0.1\nno-resolv\nother.example # note\n"));
    }

    [Fact]
    public void Every_bad_line_is_reported_with_file_and_line_and_nothing_is_returned()
    {
        var thrown = Assert.Throws<FormatException>(() => Domains("ok.com\nbad name here\n*.wild.com\n"));
        var lines = thrown.Message.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("list.txt:2: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("list.txt:3: *.wild.com: ", lines[1], StringComparison.Ordinal);

        var dnsmasq = Assert.Throws<FormatException>(() => Domains("server=/a.com/1.1.1.1\nserver=/x.com\nserver=/bad_-.com/1.1.1.1\n"));
        Assert.StartsWith("list.txt:2: server= has no closing '/'", dnsmasq.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_carry_their_line_for_explanations()
    {
        var rules = RuleImport.Parse(new StringReader("\n\nexample.com\n"), "list.txt", ViaWg0);
        Assert.Equal(new SourceLocation("list.txt", 3, 1), Assert.Single(rules).Location);
    }

    [Fact]
    public void Any_text_gives_rules_or_a_FormatException() =>
        Check.One(Generators.Config, Prop.ForAll(ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "").ToArbitrary(), text =>
        {
            var thrown = Record.Exception(() => RuleImport.Parse(new StringReader(text), "f", ViaWg0));
            Assert.True(thrown is null or FormatException, thrown?.ToString());
        }));
}
