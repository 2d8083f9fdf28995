using Steer.Linux.Native;

namespace Steer.Lab;

/// <summary>
/// Removes lab namespaces for good. Deleting <c>/run/netns/NAME</c> alone is not enough: a process
/// still inside keeps the namespace (and its veths, routes and sockets) alive, unnamed and
/// unreachable. So every process inside is killed first, then the names are deleted.
/// </summary>
internal static class NamespaceRemoval
{
    public static async Task RemoveAsync(IReadOnlyCollection<string> namespaces)
    {
        if (namespaces.Count == 0)
            return;
        await KillProcessesInsideAsync(namespaces);
        // -force: keep going past a namespace another sweeper removed a moment ago.
        await IpBatch.RunAsync(null, namespaces.Select(n => $"netns del {n}").ToList(), force: true);
    }

    private static async Task KillProcessesInsideAsync(IReadOnlyCollection<string> namespaces)
    {
        var existing = namespaces.Where(n => File.Exists(NetNamespace.PathOf(n))).ToList();
        if (existing.Count == 0)
            return;
        var argv = new List<string> { "ip", "-force", "-batch", "-" };
        var result = await Runner.RunAsync(argv, new ExecOptions(string.Join('\n', existing.Select(n => $"netns pids {n}")) + "\n"));
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Never ourselves: the test process only ever has short-lived threads inside a lab namespace.
            if (int.TryParse(line, out var pid) && pid != Environment.ProcessId)
                Libc.kill(pid, Libc.SIGKILL);
        }
    }
}
