using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Configuration;
using Steer.Policy.Configuration.Reading;

namespace Steer.Policy.Tests.Configuration;

/// <summary>dns.cache-size: a whole number with a binary unit, 64KiB..16GiB.</summary>
public class CacheSizeTests
{
    private static readonly (string Unit, long Factor)[] Units = [("B", 1), ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30)];

    [Fact]
    public void Every_size_in_range_parses_to_its_bytes_and_every_other_is_refused() =>
        Check.One(Generators.Config, Prop.ForAll(
            Gen.Choose(0, 3).Select(i => Units[i]).ToArbitrary(), ArbMap.Default.GeneratorFor<long>().ToArbitrary(), (unit, raw) =>
            {
                long number = Math.Abs(raw % (20L << 30));
                string? problem = DnsReader.ParseSize($"{number}{unit.Unit}", out long bytes);
                bool inRange = number <= DnsSettings.MaxCacheSizeBytes / unit.Factor
                    && number * unit.Factor >= DnsSettings.MinCacheSizeBytes && number * unit.Factor <= DnsSettings.MaxCacheSizeBytes;
                Assert.Equal(inRange, problem is null);
                Assert.Equal(inRange ? number * unit.Factor : 0, bytes);
            }));

    [Fact]
    public void Any_text_is_parsed_or_refused_with_the_forms_named_never_thrown() =>
        Check.One(Generators.Config, Prop.ForAll(ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "").ToArbitrary(), text =>
        {
            var problem = DnsReader.ParseSize(text, out long bytes);
            Assert.True(problem is null ? bytes >= DnsSettings.MinCacheSizeBytes : bytes == 0);
        }));

    [Theory]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("64 MiB", 64L << 20)]
    [InlineData("65536B", 65536)]
    [InlineData("16GiB", 16L << 30)]
    public void The_setting_is_read(string text, long expected) =>
        Assert.Equal(expected, ConfigLoader.LoadOrThrow($"dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]\n  cache-size: {text}").Dns!.CacheSizeBytes);

    [Fact]
    public void The_default_is_64MiB() =>
        Assert.Equal(64L << 20, ConfigLoader.LoadOrThrow("dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]").Dns!.CacheSizeBytes);

    [Theory]
    [InlineData("64M", "is not a size")]
    [InlineData("64mib", "is not a size")]
    [InlineData("-1MiB", "is not a size")]
    [InlineData("1.5GiB", "is not a size")]
    [InlineData("lots", "is not a size")]
    [InlineData("1KiB", "out of range 64KiB..16GiB")]
    [InlineData("17GiB", "out of range 64KiB..16GiB")]
    public void A_bad_size_is_an_error_at_its_place(string text, string expected)
    {
        var thrown = Assert.Throws<ConfigException>(() =>
            ConfigLoader.LoadOrThrow($"dns:\n  listen: 127.0.0.1:53\n  upstreams: [192.0.2.53]\n  cache-size: {text}", "steer.yaml"));
        var error = Assert.Single(thrown.Errors).ToString();
        Assert.StartsWith("steer.yaml:4:15: error: dns.cache-size:", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
