using Steer.Lab;
using Steer.Linux.Cgroups;
using Xunit;

namespace Steer.Integration.Tests.LabTests;

/// <summary>A client run in a lab host's namespace and put into a cgroup before it creates its
/// first socket (as a service's processes are): it waits on a file until the test has moved it.</summary>
internal static class CgroupClient
{
    public static async Task<ExecResult> RunAsync(LabHost host, Cgroup cgroup, string[] client)
    {
        var go = Path.Combine(Path.GetTempPath(), $"steer-cgroup-go-{Guid.NewGuid():N}");
        var command = string.Join(' ', client.Select(a => $"'{a}'"));
        using var process = host.Start("bash", "-c", $"while [ ! -e {go} ]; do sleep 0.01; done; exec {command}");
        try
        {
            cgroup.AddProcess(process.Pid);
            await File.WriteAllTextAsync(go, "");
            int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(15));
            return new ExecResult(client, exit, process.Stdout, process.Stderr);
        }
        finally
        {
            File.Delete(go);
        }
    }

    /// <summary>The source address the echo service saw from the client.</summary>
    public static async Task<string> SourceSeenAsync(LabHost host, Cgroup cgroup, string[] client)
    {
        var result = await RunAsync(host, cgroup, client);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return EchoReply.Parse(result.Stdout).Address.ToString();
    }
}
