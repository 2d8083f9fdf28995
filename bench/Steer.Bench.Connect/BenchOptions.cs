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
          --udp-batch N         UDP operations per timed batch (default 50)
          --tcp-batch N         TCP operations per timed batch (default 10)
          --startup-runs N      runs of `true` and of `steer run -- true` each (default 30)
          --exclusions N        CIDRs in the exclusion file (default 10000; 0: an empty file)
          --decisions N         decisions loaded for the host-wide variant (default 100000)
          --no-ipv6             measure IPv4 only
          --cpu N               the CPU both workers are pinned to (default: the last one)
          --samples FILE        also write every round's figures to FILE (CSV)
          --as-user USER        run both workers as USER (setpriv): Steer's unprivileged path,
                                which binds at connect() instead of at socket()
        """;

    public required string SteerPath { get; init; }
    public int Rounds { get; init; } = 80;
    public int Warmup { get; init; } = 5;
    public int UdpOperations { get; init; } = 4000;
    public int TcpOperations { get; init; } = 1000;

    /// <summary>Operations per timed batch: well under a millisecond, so most batches run without
    /// being preempted even on a busy machine. See bench/connect/worker.c.</summary>
    public int UdpBatch { get; init; } = 50;
    public int TcpBatch { get; init; } = 10;
    public int StartupRuns { get; init; } = 30;
    public int Exclusions { get; init; } = 10_000;

    /// <summary>Decisions loaded for the host-wide variant (issue #3 asks for 100,000).</summary>
    public int Decisions { get; init; } = 100_000;
    public bool IPv6 { get; init; } = true;

    /// <summary>Both workers run on this CPU; see bench/connect/worker.c.</summary>
    public int Cpu { get; init; } = Environment.ProcessorCount - 1;

    /// <summary>Where to write the raw figures of every round, or null.</summary>
    public string? SamplesPath { get; init; }

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
            int Count(int least = 1) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= least
                ? n : throw new FormatException($"{args[i - 1]}: '{args[i]}' is not a whole number of at least {least}");
            options = args[i] switch
            {
                "--steer" => options with { SteerPath = steer = Value() },
                "--rounds" => options with { Rounds = Count() },
                "--warmup" => options with { Warmup = Count() },
                "--udp-ops" => options with { UdpOperations = Count() },
                "--tcp-ops" => options with { TcpOperations = Count() },
                "--udp-batch" => options with { UdpBatch = Count() },
                "--tcp-batch" => options with { TcpBatch = Count() },
                "--startup-runs" => options with { StartupRuns = Count() },
                "--exclusions" => options with { Exclusions = Count(least: 0) },
                "--decisions" => options with { Decisions = Count(least: 0) },
                "--no-ipv6" => options with { IPv6 = false },
                "--as-user" => options with { User = Value() },
                "--cpu" => options with { Cpu = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var cpu) ? cpu : throw new FormatException($"--cpu: '{args[i]}' is not a CPU number") },
                "--samples" => options with { SamplesPath = Value() },
                var other => throw new FormatException($"unknown option '{other}'"),
            };
        }
        if (steer is null)
            throw new FormatException("--steer PATH is required");
        return options;
    }
}
