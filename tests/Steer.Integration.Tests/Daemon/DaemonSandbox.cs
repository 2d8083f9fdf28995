using Steer.Integration.Tests.Run;
using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// What keeps a test's daemon off the host's own state: run and state directories of its own
/// and a throw-away cgroup for its host-wide programs. <see cref="SteerAsync"/> runs the steer
/// command with them inside a lab host; <see cref="RemoveAsync"/> stops the daemon and removes
/// all of it, also when the test failed.
/// </summary>
internal sealed class DaemonSandbox(string name)
{
    private readonly string id = Guid.NewGuid().ToString("N")[..12];

    public string RunDir => $"/tmp/{name}-run-{id}";
    public string StateDir => $"/tmp/{name}-state-{id}";
    public string CgroupName => $"/{name}-{id}";
    public string CgroupPath => SteerMounts.CgroupRoot() + CgroupName;

    /// <summary>Mounts what the daemon needs and makes the cgroup (with <paramref name="children"/>)
    /// and the state directory.</summary>
    public void Create(params string[] children)
    {
        SteerMounts.BpfRoot();
        Directory.CreateDirectory(CgroupPath);
        foreach (var child in children)
            Directory.CreateDirectory(Path.Combine(CgroupPath, child));
        Directory.CreateDirectory(StateDir);
    }

    /// <summary>steer with the sandbox's directories, and more environment (NAME=VALUE).</summary>
    public Task<ExecResult> SteerAsync(LabHost host, string[] env, params string[] args) =>
        host.ExecAsync(["env", $"STEER_RUN_DIR={RunDir}", $"STEER_STATE_DIR={StateDir}", .. env, SteerBinary.Path, .. args]);

    public async Task RemoveAsync(LabHost host)
    {
        await SteerAsync(host, [], "stop");
        if (Directory.Exists(CgroupPath))
        {
            foreach (var child in Directory.GetDirectories(CgroupPath))
                new Cgroup(child).TryRemove(TimeSpan.FromSeconds(2));
            new Cgroup(CgroupPath).TryRemove(TimeSpan.FromSeconds(2));
        }
        foreach (var dir in new[] { RunDir, StateDir })
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
    }
}
