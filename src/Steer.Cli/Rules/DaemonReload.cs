using Steer.Daemon;

namespace Steer.Cli.Rules;

/// <summary>Tells a running daemon that the rule file changed.</summary>
internal static class DaemonReload
{
    /// <summary>Text to append to the command's message: what the daemon said, or nothing.</summary>
    public static string Notify()
    {
        var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("reload"), TimeSpan.FromSeconds(10));
        return response switch
        {
            null => "",
            { Ok: true } => $"; the daemon has it ({response.Message})",
            _ => $"; the daemon refused it, its rules stay as they were:\n{response.Error}",
        };
    }

    /// <summary>Writes the running daemon's warnings to stderr (rules with conditions and no
    /// proxy to honour them); nothing when no daemon runs — `steer start` says it then.</summary>
    public static void PrintWarnings()
    {
        var status = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("status"), TimeSpan.FromSeconds(10))?.Status;
        foreach (var warning in status?.Warnings ?? [])
            Console.Error.WriteLine($"steer: warning: {warning}");
    }
}
