using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Configuration;

public class RuleFileTests
{
    private static RuleSet Parse(string text) => RuleFile.Parse(new StringReader(text), "rules");

    [Fact]
    public void Every_kind_of_rule_round_trips()
    {
        var text = "# comment\ndomain example.com via wg0\nname login.example.org via eth1\n\ncidr 10.8.0.0/16 via wg0\ncidr fd00::/8 reject\ndomain corp.example outbound corp\n";
        var rules = Parse(text);
        Assert.Equal(5, rules.Count);
        Assert.Equal(rules, Parse(RuleFile.Format(rules)));
        Assert.Equal(new SourceLocation("rules", 5, 1), rules.Single(r => r.Destination is CidrDestination { Network.IsIPv6: false }).Location);
    }

    [Fact]
    public void Bad_lines_are_all_reported_with_file_and_line_and_nothing_is_returned()
    {
        var thrown = Assert.Throws<FormatException>(() => Parse("domain ok.com via wg0\nhost x via wg0\ndomain bad_!.com via wg0\ncidr 10.0.0.0/33 via wg0\ndomain a.com via\ndomain b.com via a/b\n"));
        var lines = thrown.Message.Split('\n');
        Assert.Equal(["rules:2:", "rules:3:", "rules:4:", "rules:5:", "rules:6:"], lines.Select(l => l[..(l.IndexOf(':', 6) + 1)]));
    }

    [Fact]
    public void Two_actions_for_one_destination_are_a_conflict_at_their_line()
    {
        var thrown = Assert.Throws<FormatException>(() => Parse("domain a.com via wg0\ndomain a.com via eth1\n"));
        Assert.StartsWith("rules:", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_text_gives_rules_or_a_FormatException() =>
        Check.One(Generators.Config, Prop.ForAll(ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "").ToArbitrary(), text =>
        {
            var thrown = Record.Exception(() => Parse(text));
            Assert.True(thrown is null or FormatException, thrown?.ToString());
        }));
}
