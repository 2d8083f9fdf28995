using System.Globalization;

namespace Steer.Bench.Resolver;

/// <summary>Command-line options of bench/resolver.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: Steer.Bench.Resolver [options]
          --rounds N        timed rounds per variant and case (default 3)
          --seconds S       length of one dnsperf round (default 6)
          --clients C       dnsperf -c: client sockets, i.e. flows (default 16)
          --outstanding Q   dnsperf -q: queries in flight (default 200)
          --threads T       dnsperf -T (default 1)
          --latency-qps R   fixed rate of the latency phase (default 2000)
          --hot-names N     distinct names of the cache-hot file (default 1000)
          --decide-qps R    fixed rate of the decide-before-answer phase (default 5000)
          --decide-seconds S  length of one round of that phase (default 5)
          --decide-addresses N  A records per answer in that phase (default 1)
          --decide-only     only the decide-before-answer phase (no throughput, no dnsmasq rounds)
          --steer PATH      the steer binary (default: the one beside this program)
        """;

    public int Rounds { get; init; } = 3;
    public int Seconds { get; init; } = 6;
    public int Clients { get; init; } = 16;
    public int Outstanding { get; init; } = 200;
    public int Threads { get; init; } = 1;
    public int LatencyQps { get; init; } = 2000;
    public int HotNames { get; init; } = 1000;
    public int DecideQps { get; init; } = 5_000;
    public int DecideSeconds { get; init; } = 5;
    public int DecideAddresses { get; init; } = 1;
    public bool DecideOnly { get; init; }
    public string SteerPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "steer");

    /// <summary>Null for --help.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new FormatException($"{args[i - 1]} needs a positive number");
            options = args[i] switch
            {
                "--help" or "-h" => null,
                "--rounds" => options with { Rounds = Number() },
                "--seconds" => options with { Seconds = Number() },
                "--clients" => options with { Clients = Number() },
                "--outstanding" => options with { Outstanding = Number() },
                "--threads" => options with { Threads = Number() },
                "--latency-qps" => options with { LatencyQps = Number() },
                "--hot-names" => options with { HotNames = Number() },
                "--decide-qps" => options with { DecideQps = Number() },
                "--decide-seconds" => options with { DecideSeconds = Number() },
                "--decide-addresses" => options with { DecideAddresses = Number() },
                "--decide-only" => options with { DecideOnly = true },
                "--steer" => options with { SteerPath = Value() },
                var other => throw new FormatException($"unknown option {other}"),
            };
            if (options is null)
                return null;
        }
        return options;
    }
}
