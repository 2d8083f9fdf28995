using System.Net;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Rules;

public class RuleSetTests
{
    internal static Rule Domain(string suffix, RuleAction action, int line = 0) =>
        new(new DomainDestination(DomainName.Parse(suffix)), action) { Location = At(line) };

    internal static Rule Name(string name, RuleAction action, int line = 0) =>
        new(new NameDestination(DomainName.Parse(name)), action) { Location = At(line) };

    internal static Rule Network(string cidr, RuleAction action, int line = 0) =>
        new(new CidrDestination(Cidr.Parse(cidr)), action) { Location = At(line) };

    internal static RuleAction Via(string name) => new ViaAction(name);

    internal static readonly RuleAction Reject = RejectAction.Instance;

    private static SourceLocation? At(int line) => line == 0 ? null : new SourceLocation("steer.yaml", line, 5);

    private static string? Why(RuleSet set, string name) => set.MatchName(name)?.ToString();

    private static string? WhyAddress(RuleSet set, string address) => set.MatchAddress(IPAddress.Parse(address))?.ToString();

    [Fact]
    public void Domain_rule_covers_the_name_and_its_subdomains_label_aligned()
    {
        var set = RuleSet.Build([Domain("example.com", Via("wg0"))]);
        Assert.Equal("suffix example.com → via wg0", Why(set, "example.com"));
        Assert.Equal("suffix example.com → via wg0", Why(set, "a.b.example.com"));
        Assert.Null(Why(set, "badexample.com"));
        Assert.Null(Why(set, "com"));
        Assert.Null(Why(set, "example.org"));
    }

    [Fact]
    public void Name_rule_covers_exactly_that_name()
    {
        var set = RuleSet.Build([Name("exact.example.org", Via("wg0"))]);
        Assert.Equal("exact name exact.example.org → via wg0", Why(set, "exact.example.org"));
        Assert.Null(Why(set, "a.exact.example.org"));
        Assert.Null(Why(set, "example.org"));
    }

    [Fact]
    public void Exact_name_beats_every_suffix_and_the_longest_suffix_beats_shorter_ones()
    {
        // Written in the "wrong" order on purpose: order must not matter.
        var set = RuleSet.Build([
            Name("www.corp.example.com", Via("eth0"), line: 1),
            Domain("corp.example.com", Reject, line: 2),
            Domain("www.corp.example.com", Via("wg1"), line: 3),
            Domain("example.com", Via("wg0"), line: 4),
        ]);
        Assert.Equal("exact name www.corp.example.com → via eth0 (steer.yaml:1:5)", Why(set, "www.corp.example.com"));
        Assert.Equal("suffix www.corp.example.com → via wg1 (steer.yaml:3:5)", Why(set, "a.www.corp.example.com"));
        Assert.Equal("suffix corp.example.com → reject (steer.yaml:2:5)", Why(set, "mail.corp.example.com"));
        Assert.Equal("suffix example.com → via wg0 (steer.yaml:4:5)", Why(set, "example.com"));
        Assert.Equal(MatchKind.DomainSuffix, set.MatchName("x.example.com")!.Value.Kind);
        Assert.Equal(MatchKind.ExactName, set.MatchName("www.corp.example.com")!.Value.Kind);
    }

    [Fact]
    public void Lookups_ignore_case_and_one_trailing_dot_and_refuse_empty_labels()
    {
        var set = RuleSet.Build([Domain("example.com", Via("wg0")), Name("exact.example.org", Reject)]);
        Assert.NotNull(set.MatchName("WwW.ExAmPlE.CoM."));
        Assert.NotNull(set.MatchName("EXACT.example.org"));
        Assert.Null(set.MatchName("www..example.com"));
        Assert.Null(set.MatchName(""));
        Assert.Null(set.MatchName("."));
        Assert.Null(set.MatchName("example.com.."));
    }

    [Fact]
    public void Address_uses_the_longest_prefix_in_its_family()
    {
        var set = RuleSet.Build([
            Network("10.0.0.0/8", Reject),
            Network("10.8.0.0/16", Via("wg0")),
            Network("fd00::/8", Via("wg0")),
            Network("::/0", Via("eth0")),
        ]);
        Assert.Equal("prefix 10.8.0.0/16 → via wg0", WhyAddress(set, "10.8.1.1"));
        Assert.Equal("prefix 10.0.0.0/8 → reject", WhyAddress(set, "10.9.1.1"));
        Assert.Equal("prefix 10.8.0.0/16 → via wg0", WhyAddress(set, "::ffff:10.8.0.1"));
        Assert.Equal("prefix fd00::/8 → via wg0", WhyAddress(set, "fd00::1"));
        Assert.Equal("prefix ::/0 → via eth0", WhyAddress(set, "2001:db8::1"));
        Assert.Null(WhyAddress(set, "192.168.1.1"));
        Assert.Equal(MatchKind.NetworkPrefix, set.MatchAddress(IPAddress.Parse("10.8.0.1"))!.Value.Kind);
    }

    [Fact]
    public void Names_and_addresses_are_separate_questions()
    {
        var set = RuleSet.Build([Domain("example.com", Via("wg0")), Network("10.0.0.0/8", Reject)]);
        Assert.Null(set.MatchAddress(IPAddress.Parse("192.0.2.1")));
        Assert.Null(set.MatchName("10.in-addr.arpa"));
    }

    [Fact]
    public void Conflicting_duplicates_are_refused_with_both_places()
    {
        Rule[] rules = [
            Domain("example.com", Via("wg0"), line: 3),
            Domain("Example.COM.", Reject, line: 7),
            Network("10.0.0.0/8", Reject, line: 8),
            Network("10.1.2.3/8", Via("wg0"), line: 9),
        ];
        Assert.False(RuleSet.TryBuild(rules, out var set, out var conflicts));
        Assert.Null(set);
        Assert.Equal([
            "domain example.com has two actions: via wg0 (at steer.yaml:3:5) and reject; a destination can have one action only",
            "cidr 10.0.0.0/8 has two actions: reject (at steer.yaml:8:5) and via wg0; a destination can have one action only",
        ], conflicts.Select(c => c.Message));
        Assert.All(conflicts, c => Assert.Equal(FindingSeverity.Error, c.Severity));
        Assert.Contains("has two actions", Assert.Throws<ArgumentException>(() => RuleSet.Build(rules)).Message);
    }

    [Fact]
    public void A_name_rule_and_a_domain_rule_for_the_same_name_do_not_conflict()
    {
        var set = RuleSet.Build([Domain("example.com", Via("wg0")), Name("example.com", Reject)]);
        Assert.Equal("exact name example.com → reject", Why(set, "example.com"));
        Assert.Equal("suffix example.com → via wg0", Why(set, "a.example.com"));
    }

    [Fact]
    public void Findings_report_duplicates_overrides_and_redundant_rules()
    {
        var set = RuleSet.Build([
            Domain("example.com", Via("wg0"), line: 1),
            Domain("example.com", Via("wg0"), line: 2),
            Domain("a.example.com", Reject, line: 3),
            Domain("b.example.com", Via("wg0"), line: 4),
            Name("x.a.example.com", Via("eth0"), line: 5),
            Name("example.com", Via("wg0"), line: 6),
            Network("10.0.0.0/8", Reject, line: 7),
            Network("10.8.0.0/16", Via("wg0"), line: 8),
            Network("10.8.8.0/24", Via("wg0"), line: 9),
            Network("fd00::/8", Via("wg0"), line: 10),
        ]);
        Assert.Equal(9, set.Count);
        Assert.Equal([
            "warning: domain example.com via wg0 is written twice (at steer.yaml:1:5); the repetition has no effect",
            "info: domain a.example.com reject overrides domain example.com via wg0 (at steer.yaml:1:5) for a.example.com and the names under it",
            "info: domain b.example.com via wg0 is redundant: domain example.com via wg0 (at steer.yaml:1:5) already sends b.example.com and the names under it the same way",
            "info: name x.a.example.com via eth0 overrides domain a.example.com reject (at steer.yaml:3:5) for the name x.a.example.com only",
            "info: name example.com via wg0 is redundant: domain example.com via wg0 (at steer.yaml:1:5) already sends the name example.com only the same way",
            "info: cidr 10.8.0.0/16 via wg0 overrides cidr 10.0.0.0/8 reject (at steer.yaml:7:5) for 10.8.0.0/16",
            "info: cidr 10.8.8.0/24 via wg0 is redundant: cidr 10.8.0.0/16 via wg0 (at steer.yaml:8:5) already sends 10.8.8.0/24 the same way",
        ], set.Findings().Select(f => f.ToString()));
    }

    [Fact]
    public void Equality_ignores_order_locations_and_repetitions()
    {
        var a = RuleSet.Build([Domain("example.com", Via("wg0"), 1), Network("10.0.0.0/8", Reject, 2)]);
        var b = RuleSet.Build([Network("10.0.0.0/8", Reject, 9), Domain("EXAMPLE.com", Via("wg0"), 8), Domain("example.com", Via("wg0"))]);
        var c = RuleSet.Build([Network("10.0.0.0/8", Reject), Domain("example.com", Via("wg1"))]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal(RuleSet.Empty, RuleSet.Build([]));
        Assert.Equal(["domain example.com via wg0", "cidr 10.0.0.0/8 reject"], b.CanonicalOrder.Select(r => r.ToString()));
    }

    [Fact]
    public void Actions_and_destinations_validate_what_they_hold()
    {
        Assert.Throws<ArgumentException>(() => new ViaAction("eth 0"));
        Assert.Throws<ArgumentException>(() => new OutboundAction("auto"));
        Assert.Throws<ArgumentException>(() => new DomainDestination(default));
        Assert.Equal("outbound corp", new OutboundAction("corp").ToString());
        Assert.Equal("reject", RejectAction.Instance.ToString());
        Assert.Equal(Domain("a.com", Via("wg0"), 1), Domain("a.com", Via("wg0"), 2));
    }
}
