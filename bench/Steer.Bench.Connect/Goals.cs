namespace Steer.Bench.Connect;

/// <summary>The goals of the issue that asked for this benchmark.</summary>
internal static class Goals
{
    /// <summary>Steered over plain, median ns/op, with 10,000 exclusions loaded.</summary>
    public static double Ratio(Probe probe) => probe.Protocol == "udp" ? 1.06 : 1.05;

    /// <summary>Host-wide socket programs with 100,000 decisions loaded, over no Steer (issue #3).</summary>
    public const double HostWideRatio = 1.10;

    /// <summary>Median wall time that <c>steer run --via IFACE -- true</c> adds to <c>true</c>.</summary>
    public const double StartupAddedMs = 100;
}
