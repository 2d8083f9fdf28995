using Steer.Policy.Configuration;
using Steer.Policy.Configuration.Reading;

namespace Steer.Policy.Tests.Configuration;

/// <summary>dns.max-decisions: addresses per family in the kernel's decision map, 1024..4194304.</summary>
public class MaxDecisionsTests
{
    private static string Config(string value) => $"dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]\n  max-decisions: {value}";

    [Theory]
    [InlineData("1024", 1024)]
    [InlineData("100000", 100_000)]
    [InlineData("4194304", 4_194_304)]
    public void The_setting_is_read(string text, int expected) =>
        Assert.Equal(expected, ConfigLoader.LoadOrThrow(Config(text)).Dns!.MaxDecisions);

    [Fact]
    public void The_default_is_262144_per_family() =>
        Assert.Equal(262_144, ConfigLoader.LoadOrThrow("dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]").Dns!.MaxDecisions);

    [Theory]
    [InlineData("1023", "out of range 1024..4194304")]
    [InlineData("4194305", "out of range 1024..4194304")]
    [InlineData("lots", "not a whole number")]
    [InlineData("-5", "not a whole number")]
    [InlineData("1e6", "not a whole number")]
    public void A_bad_count_is_an_error_at_its_place(string text, string expected)
    {
        var thrown = Assert.Throws<ConfigException>(() => ConfigLoader.LoadOrThrow(Config(text), "steer.yaml"));
        var error = Assert.Single(thrown.Errors).ToString();
        Assert.StartsWith("steer.yaml:4:18: error: dns.max-decisions:", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
