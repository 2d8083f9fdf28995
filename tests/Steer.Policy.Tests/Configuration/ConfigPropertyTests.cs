using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Configuration;

namespace Steer.Policy.Tests.Configuration;

public class ConfigPropertyTests
{
    private static readonly string[] Examples =
    [
        IssueExamplesTests.DnsExample, IssueExamplesTests.UplinksExample, IssueExamplesTests.ProxyExample,
        ConfigLoader.LoadOrThrow(IssueExamplesTests.ProxyExample).ToCanonicalYaml(),
    ];

    /// <summary>Text over YAML's punctuation and the words of steer.yaml: lands in the parser's corners.</summary>
    private static readonly Gen<string> TokenSoup =
        Gen.Elements(
                "dns:", "uplinks:", "rules:", "proxy:", "sources:", "routing:", "listen:", "upstreams:", "interface:",
                "gateway:", "via:", "domain:", "cidr:", "name:", "outbound:", "action:", "reject", "auto", "wg0",
                "example.com", "10.0.0.0/8", "127.0.0.1:53", "[::1]:53", "1000-1999", "- ", "  ", "\n", "{", "}", "[", "]",
                ",", ": ", "#", "&a", "*a", "!!str", "'", "\"", "|", ">", "---", "...", "? ", "%YAML 1.2", "\t", "~", "null", "\0", "é")
            .ArrayOf()
            .Select(tokens => string.Concat(tokens));

    private static readonly Gen<string> YamlishChars =
        Gen.Elements("abc:-[]{},#&*!|>'\"\n \t0123456789./%@?~\\".ToCharArray()).ArrayOf().Select(c => new string(c));

    /// <summary>A valid example with a few random edits: insert, delete, replace, duplicate or swap lines.</summary>
    private static readonly Gen<string> MutatedExample =
        from example in Gen.Elements(Examples)
        from edits in Gen.Choose(1, 4)
        from seeds in Gen.Choose(0, int.MaxValue).ArrayOf(edits * 3)
        select Mutate(example, seeds);

    private static readonly Gen<string> AnyText = Gen.OneOf(TokenSoup, YamlishChars, MutatedExample, Generators.BytesAsText);

    private const string MutationCharacters = "{}[],:-#&*!'\" \n\t0a.";

    private static string Mutate(string text, int[] seeds)
    {
        for (var i = 0; i + 2 < seeds.Length; i += 3)
        {
            var lines = text.Split('\n').ToList();
            var position = text.Length == 0 ? 0 : seeds[i + 1] % text.Length;
            var character = MutationCharacters[seeds[i + 2] % MutationCharacters.Length];
            text = (seeds[i] % 6) switch
            {
                0 => text.Insert(position, character.ToString()),
                1 => text.Length == 0 ? text : text.Remove(position, 1),
                2 => text.Length == 0 ? text : text.Remove(position, 1).Insert(position, character.ToString()),
                3 => string.Join('\n', lines.Take(seeds[i + 1] % lines.Count + 1).Concat(lines.Skip(seeds[i + 1] % lines.Count))),
                4 => string.Join('\n', lines.Select((l, n) => (l, n)).OrderBy(t => (t.n * 7919L + seeds[i + 2]) % 5).Select(t => t.l)),
                _ => text.Replace("  ", seeds[i + 2] % 2 == 0 ? " " : "   ", StringComparison.Ordinal),
            };
        }
        return text;
    }

    /// <summary>STEER_FUZZ_TESTS=100000 for a longer run than the default.</summary>
    private static readonly FsCheck.Config FuzzConfig = Generators.Config.WithMaxTest(
        int.TryParse(Environment.GetEnvironmentVariable("STEER_FUZZ_TESTS"), out var count) ? count : 2000);

    [Fact]
    public void Any_text_loads_to_a_config_or_errors_and_never_throws_anything_else() =>
        Check.One(FuzzConfig, Prop.ForAll(AnyText.ToArbitrary(), text =>
        {
            var result = ConfigLoader.Load(text);
            Assert.Equal(result.Config is null, result.Errors.Count > 0);
            Assert.All(result.Errors, e => Assert.True(e.Location.Line >= 1 && e.Location.Column >= 1, e.ToString()));
            var thrown = Record.Exception(() => ConfigLoader.LoadOrThrow(text));
            if (result.Succeeded)
            {
                Assert.Null(thrown);
                // Whatever loads has a canonical form that loads back to the same configuration.
                Assert.Equal(result.Config, ConfigLoader.LoadOrThrow(result.Config.ToCanonicalYaml()));
            }
            else
            {
                Assert.Equal(result.Errors, Assert.IsType<ConfigException>(thrown).Errors);
            }
        }));

    private static readonly Gen<string> Interface = Gen.Elements("eth0", "eth1", "wg0", "wan0", "lan0", "tun7", "en_p1.2");

    private static readonly Gen<string> Address = Gen.OneOf(
        Generators.IPv4Address.Select(a => a.ToString()),
        Generators.IPv6Address.Where(a => !a.IsIPv4MappedToIPv6).Select(a => $"\"{a}\""));

    private static readonly Gen<string> Endpoint = Gen.OneOf(
        Generators.IPv4Address.SelectMany(_ => Gen.Choose(1, 65535), (a, p) => $"\"{a}:{p}\""),
        Generators.IPv6Address.Where(a => !a.IsIPv4MappedToIPv6).SelectMany(_ => Gen.Choose(1, 65535), (a, p) => $"\"[{a}]:{p}\""));

    private static bool Specified(System.Net.IPAddress a) => !a.Equals(System.Net.IPAddress.Any) && !a.Equals(System.Net.IPAddress.IPv6Any);

    private static readonly Gen<string> Uplink =
        from name in Interface
        from gateway in Gen.OneOf(Gen.Elements("auto", "none"), Generators.IPv4Address.Where(Specified).Select(a => a.ToString()))
        from gateway6 in Gen.OneOf(Gen.Elements("auto", "none"), Generators.IPv6Address.Where(a => !a.IsIPv4MappedToIPv6 && Specified(a)).Select(a => $"\"{a}\""))
        from ret in Gen.Elements("symmetric", "none")
        select $"  - {{ interface: {name}, gateway: {gateway}, gateway6: {gateway6}, return: {ret} }}";

    private static readonly Gen<string> Rule =
        from match in Gen.OneOf(
            Gen.Elements("example.com", "a.example.com", "Bücher.example", "_sip._tcp.example.org", "corp.example").Select(d => $"domain: {d}"),
            Gen.Elements("exact.example.org", "a.example.com", "host.corp.example").Select(n => $"name: {n}"),
            Generators.AnyCidr.Select(c => $"cidr: \"{c}\""))
        from action in Gen.OneOf(Interface.Select(i => $"via: {i}"), Gen.Constant("action: reject"), Gen.Constant("outbound: corp"))
        select $"  - {{ {match}, {action} }}";

    /// <summary>Valid by construction: names from small sets, so sections refer to each other a lot.</summary>
    private static readonly Gen<string> ValidConfig =
        from uplinks in Uplink.ListOf()
        from rules in Rule.ListOf()
        from upstreams in Gen.OneOf(Address, Endpoint).NonEmptyListOf()
        from tagged in Interface.SelectMany(_ => Address, (i, a) => $"{{ address: {a}, interface: {i} }}").ListOf()
        from withDns in ArbMap.Default.GeneratorFor<bool>()
        from listen in Endpoint
        from server in Endpoint
        select Compose(uplinks, rules, upstreams.Concat(tagged).ToList(), withDns ? listen : null, server);

    private static string Compose(IList<string> uplinks, IList<string> rules, IList<string> upstreams, string? listen, string server)
    {
        var unique = uplinks.DistinctBy(u => u.Split(',')[0]).ToList();
        // One action per destination, as valid files must have.
        var distinctRules = rules.DistinctBy(r => r.Split(", ")[0].ToLowerInvariant()).ToList();
        var text = $"uplinks:\n{string.Join('\n', unique)}\nrules:\n{string.Join('\n', distinctRules)}\n" +
                   $"proxy:\n  socks: {{ listen: {server} }}\n  default: corp\n  outbounds: [{{ name: corp, type: socks5, server: {server} }}]\n";
        if (unique.Count > 0)
            text += $"sources: [{{ address: 192.168.2.1, uplink: {unique[0].Split("interface: ")[1].Split(',')[0]} }}]\n";
        if (listen is not null)
            text += $"dns:\n  listen: {listen}\n  upstreams: [{string.Join(", ", upstreams)}]\n";
        return text;
    }

    [Fact]
    public void Valid_configurations_load_and_their_canonical_form_is_a_fixed_point() =>
        Check.One(Generators.Config.WithMaxTest(500), Prop.ForAll(ValidConfig.ToArbitrary(), text =>
        {
            var result = ConfigLoader.Load(text);
            Assert.True(result.Succeeded, text + "\n" + string.Join('\n', result.Errors));
            var canonical = result.Config.ToCanonicalYaml();
            var reloaded = ConfigLoader.LoadOrThrow(canonical);
            Assert.Equal(result.Config, reloaded);
            Assert.Equal(result.Config.GetHashCode(), reloaded.GetHashCode());
            Assert.Equal(canonical, reloaded.ToCanonicalYaml());
        }));
}
