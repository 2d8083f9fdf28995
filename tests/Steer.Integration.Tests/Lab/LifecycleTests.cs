using System.Text.Json;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.LabTests;

/// <summary>A lab is quick to build, unique to its run, confined to its namespaces, and leaves
/// nothing behind however the test ends.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Builds_quickly_with_unique_namespaces_and_lo_up()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var a = await TwoUplinks.BuildAsync();
        await using var b = await TwoUplinks.BuildAsync();

        TestContext.Current.TestOutputHelper?.WriteLine($"build: {a.BuildTime.TotalMilliseconds:0} ms, {b.BuildTime.TotalMilliseconds:0} ms");
        Assert.True(a.BuildTime < TimeSpan.FromSeconds(2), $"build took {a.BuildTime}");
        Assert.NotEqual(a["host"].Namespace, b["host"].Namespace);
        Assert.StartsWith($"stl-{Environment.ProcessId}-", a["host"].Namespace);
        foreach (var host in a.Hosts.Concat(b.Hosts))
        {
            Assert.True(File.Exists(host.NsPath));
            var lo = JsonDocument.Parse(host.Exec("ip", "-j", "link", "show", "dev", "lo").EnsureSuccess().Stdout).RootElement[0];
            Assert.Contains("UP", lo.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        }
    }

    [Fact]
    public async Task Never_creates_interfaces_in_the_root_namespace()
    {
        TwoUplinks.SkipUnlessSupported();
        var before = RootInterfaces();
        await using var lab = await TwoUplinks.BuildAsync();
        Assert.Equal(before, RootInterfaces());
    }

    [Fact]
    public async Task Dispose_removes_namespaces_and_kills_processes_inside()
    {
        TwoUplinks.SkipUnlessSupported();
        var lab = await TwoUplinks.BuildAsync();
        var started = lab["server"].Start("sleep", "1000");
        // A grandchild the lab did not start itself: found through `ip netns pids`.
        var shell = lab["host"].Start("sh", "-c", "sleep 1000 & echo $!; wait");
        await shell.WaitForOutputAsync("\n", TimeSpan.FromSeconds(5));
        var grandchild = int.Parse(shell.Stdout.Trim());
        var paths = lab.Hosts.Select(h => h.NsPath).ToList();

        await lab.DisposeAsync();

        Assert.All(paths, p => Assert.False(File.Exists(p), p));
        Assert.True(started.HasExited);
        Assert.True(await ExitsAsync(grandchild), $"pid {grandchild} still runs");
    }

    [Fact]
    public async Task A_test_that_throws_still_removes_its_lab()
    {
        TwoUplinks.SkipUnlessSupported();
        var paths = new List<string>();
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var lab = await TwoUplinks.BuildAsync();
            paths.AddRange(lab.Hosts.Select(h => h.NsPath));
            throw new InvalidOperationException("the test failed");
        });
        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.False(File.Exists(p), p));
    }

    [Fact]
    public async Task A_failed_build_removes_what_it_created()
    {
        TwoUplinks.SkipUnlessSupported();
        LabHost? host = null;
        var error = await Assert.ThrowsAsync<LabException>(() => TwoUplinks.BuildAsync(t =>
        {
            host = t.Host("broken");
            host.Route("10.77.0.0/24 via 192.0.2.1"); // gateway on no connected subnet
        }));
        Assert.Contains("192.0.2.1", error.Message);
        Assert.False(File.Exists(host!.NsPath));
    }

    [Fact]
    public async Task Sweeper_removes_namespaces_of_dead_runs_only()
    {
        TwoUplinks.SkipUnlessSupported();
        // Built first: the process's own once-only sweep (run by its first build) is over by then.
        await using var live = await TwoUplinks.BuildAsync();
        var orphan = $"stl-{DeadPid()}-1-orphan";
        Assert.Equal(0, (await Run("ip", "netns", "add", orphan)).ExitCode);

        var removed = await Steer.Lab.Lab.SweepOrphansAsync();

        Assert.Contains(orphan, removed);
        Assert.False(File.Exists($"/run/netns/{orphan}"));
        Assert.All(live.Hosts, h => Assert.True(File.Exists(h.NsPath)));
    }

    private static int DeadPid()
    {
        var max = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim());
        for (var pid = max - 1; ; pid--)
            if (!Directory.Exists($"/proc/{pid}"))
                return pid;
    }

    private static async Task<bool> ExitsAsync(int pid)
    {
        for (var i = 0; i < 200 && Directory.Exists($"/proc/{pid}"); i++)
            await Task.Delay(10);
        return !Directory.Exists($"/proc/{pid}");
    }

    private static List<string> RootInterfaces() =>
        Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).OfType<string>().Order().ToList();

    private static async Task<(int ExitCode, string Stderr)> Run(params string[] argv)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(argv[0], argv.Skip(1)) { RedirectStandardError = true });
        var stderr = await p!.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, stderr);
    }
}
