using System.Globalization;

namespace Steer.Bench.Connect;

/// <summary>What one benchmark run does. The defaults keep a full run under about two minutes on
/// two busy cores while giving each ratio enough interleaved rounds to be read to a percent.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: Steer.Bench.Connect --steer PATH [options]
          --steer PATH          the steer command to measure (artifacts/steer/steer)
          --rounds N            timed rounds per variant and case, interleaved (default 80)
          --warmup N            untimed rounds per variant before them (default 5)
          --udp-ops N           UDP socket+connect+close per round (default 4000)
          --tcp-ops N           TCP socket+connect+close per round (default 1000)
          --startup-runs N      runs of `true` and of `steer run -- true` each (default 30)
          --exclusions N        CIDRs in the exclusion file (default 10000)
          --no-ipv6             measure IPv4 only
          --as-user USER        run both workers as USER (setpriv): Steer's unprivileged path,
                                which binds at connect() instead of at socket()
        """;

    public required string SteerPath { get; init; }
    public int Rounds { get; init; } = 80;
    public int Warmup { get; init; } = 5;
    public int UdpOperations { get; init; } = 4000;
    public int TcpOperations { get; init; } = 1000;
    public int StartupRuns { get; init; } = 30;
    public int Exclusions { get; init; } = 10_000;
    public bool IPv6 { get; init; } = true;

    /// <summary>Null: the workers run as root, like the runner.</summary>
    public string? User { get; init; }

    /// <summary>Null when only the usage was asked for (<c>--help</c>).</summary>
    /// <exception cref="FormatException">An unknown option or a bad value; the message says which.</exception>
    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
            return null;
        string? steer = null;
        var options = new BenchOptions { SteerPath = "" };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            int Count() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n : throw new FormatException($"{args[i - 1]}: '{args[i]}' is not a positive whole number");
            options = args[i] switch
            {
                "--steer" => options with { SteerPath = steer = Value() },
                "--rounds" => options with { Rounds = Count() },
                "--warmup" => options with { Warmup = Count() },
                "--udp-ops" => options with { UdpOperations = Count() },
                "--tcp-ops" => options with { TcpOperations = Count() },
                "--startup-runs" => options with { StartupRuns = Count() },
                "--exclusions" => options with { Exclusions = Count() },
                "--no-ipv6" => options with { IPv6 = false },
                "--as-user" => options with { User = Value() },
                var other => throw new FormatException($"unknown option '{other}'"),
            };
        }
        if (steer is null)
            throw new FormatException("--steer PATH is required");
        return options;
    }
}
