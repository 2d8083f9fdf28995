using System.Diagnostics;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Rules;

/// <summary>
/// The domain trie must take a million suffix rules (a blocklist, a country's domains) in under
/// 3 s and 300 MB. Opt-in, because it wants a quiet machine: STEER_SCALE_TESTS=1.
/// </summary>
public class RuleSetScaleTests(ITestOutputHelper output)
{
    private const int RuleCount = 1_000_000;

    [Fact]
    public void A_million_suffix_rules_load_fast_in_little_memory()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("STEER_SCALE_TESTS") == "1", "set STEER_SCALE_TESTS=1 to run");

        // Names shaped like a real list: varied second-level labels under a few dozen TLDs, some deeper.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var random = new Random(1);
        string[] tlds = [.. Enumerable.Range(0, 40).Select(i => $"t{i}"), "com", "net", "org", "de", "ru", "cn"];
        var texts = new string[RuleCount];
        for (var i = 0; i < RuleCount; i++)
        {
            var label = RandomLabel(random);
            texts[i] = random.Next(4) == 0
                ? $"{RandomLabel(random)}.{label}.{tlds[random.Next(tlds.Length)]}"
                : $"{label}{i}.{tlds[random.Next(tlds.Length)]}";
        }
        var via = new ViaAction("wg0");

        var clock = Stopwatch.StartNew();
        var rules = new Rule[RuleCount];
        for (var i = 0; i < RuleCount; i++)
            rules[i] = new Rule(new DomainDestination(DomainName.Parse(texts[i])), via);
        var parsed = clock.Elapsed;
        var set = RuleSet.Build(rules);
        var built = clock.Elapsed;
        rules = null;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

        var queries = texts.Select(t => "www." + t).ToArray();
        clock.Restart();
        var hits = 0;
        foreach (var query in queries)
            hits += set.MatchName(query) is null ? 0 : 1;
        var lookups = clock.Elapsed;

        output.WriteLine($"{RuleCount:N0} suffix rules: parse {parsed.TotalMilliseconds:N0} ms, build {(built - parsed).TotalMilliseconds:N0} ms, " +
                         $"total {built.TotalMilliseconds:N0} ms; retained {retained / 1e6:N0} MB (the names' text included); " +
                         $"{RuleCount / lookups.TotalSeconds / 1e6:N2} M lookups/s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB");
        Assert.Equal(RuleCount, hits);
        Assert.Equal(RuleCount, set.Count);
        Assert.True(built < TimeSpan.FromSeconds(3), $"took {built}");
        Assert.True(retained < 300_000_000, $"retained {retained} bytes");
        GC.KeepAlive(set);
    }

    private static string RandomLabel(Random random)
    {
        Span<char> chars = stackalloc char[random.Next(5, 15)];
        foreach (ref var c in chars)
            c = (char)('a' + random.Next(26));
        return new string(chars);
    }
}
