namespace Steer.Bench.Connect;

/// <summary>
/// The start-up a user feels in scripts: wall time of <c>steer run --via IFACE -- true</c>
/// against plain <c>true</c>, spawned from here, interleaved. Both are started the same way
/// (fork and exec from this process inside the client's namespace), so the difference is Steer.
/// </summary>
internal static class Startup
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Wall and CPU time of each run of each variant.</summary>
    public static Paired<(TimeSpan Wall, TimeSpan Cpu)> Measure(string nsPath, IReadOnlyList<string> steerArgv, int runs)
    {
        var plain = NamespaceSpawn.StartInfo(["true"], redirectAll: false);
        var steered = NamespaceSpawn.StartInfo([.. steerArgv, "true"], redirectAll: false);
        return Interleaved.Run(() => NamespaceSpawn.TimeRun(nsPath, plain, Limit), () => NamespaceSpawn.TimeRun(nsPath, steered, Limit),
            warmup: 2, rounds: runs);
    }
}
