using Steer.Linux.Mounts;

namespace Steer.Daemon;

/// <summary>
/// Where the daemon keeps its runtime state. /run/steer by default; STEER_RUN_DIR moves the
/// control socket, pid lock and log (tests run daemons side by side), STEER_STATE_DIR the state
/// that survives reboots (the rule file).
/// </summary>
public sealed record DaemonPaths(string RunDirectory, string StateDirectory, string HostPins)
{
    public string Socket => Path.Combine(RunDirectory, "steer.sock");

    public string PidLock => Path.Combine(RunDirectory, "daemon.pid");

    public string Log => Path.Combine(RunDirectory, "daemon.log");

    public string RuleFile => Path.Combine(StateDirectory, "rules");

    /// <summary>The resolv.conf --take-over-dns rewrites (STEER_RESOLV_CONF moves it, for tests).</summary>
    public string ResolvConf => Environment.GetEnvironmentVariable("STEER_RESOLV_CONF") is { Length: > 0 } path ? path : "/etc/resolv.conf";

    public static DaemonPaths FromEnvironment() => For(
        Environment.GetEnvironmentVariable("STEER_RUN_DIR") is { Length: > 0 } r ? r : SteerMounts.RunDirectory,
        Environment.GetEnvironmentVariable("STEER_STATE_DIR") is { Length: > 0 } s ? s : "/var/lib/steer");

    /// <summary>The paths of a daemon whose run and state directories are these.</summary>
    public static DaemonPaths For(string run, string state)
    {
        // Pins live in Steer's bpffs; a test's run directory gets its own pin directory there.
        var pins = run == SteerMounts.RunDirectory ? Path.Combine(SteerMounts.BpfDirectory, "host")
            : Path.Combine(SteerMounts.BpfDirectory, "host-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(run)))[..12].ToLowerInvariant());
        return new DaemonPaths(run, state, pins);
    }
}
