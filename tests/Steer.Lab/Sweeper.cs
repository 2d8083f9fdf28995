namespace Steer.Lab;

/// <summary>
/// Removes namespaces left by lab runs that died without cleaning up (SIGKILL, a crashed test
/// host, a debugger stopped mid-test). A namespace belongs to a dead run when the pid in its name
/// is gone from /proc. Runs once per process, before its first lab.
/// </summary>
internal static class Sweeper
{
    private static Task? _sweep;
    private static readonly Lock Gate = new();

    public static Task EnsureSweptAsync()
    {
        lock (Gate)
            return _sweep ??= SweepAsync();
    }

    public static IReadOnlyList<string> Orphans() =>
        LabNames.ExistingNamespaces()
            .Where(n => LabNames.OwnerOf(n) is { } pid && !Directory.Exists($"/proc/{pid}"))
            .ToList();

    private static Task SweepAsync() => Lab.SweepOrphansAsync();
}
